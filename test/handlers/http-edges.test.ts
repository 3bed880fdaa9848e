import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handler as fallback } from '../../functions/system/fallback';
import { handler as health } from '../../functions/system/health';
import { handler as login } from '../../functions/auth/login';
import { handler as openapi } from '../../functions/docs/openapi';
import { ConfigError, loadConfig } from '../../lib/config';
import { exposedHeaders } from '../../lib/http/middleware/cors';
import { invoke } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';

/**
 * The edges of the HTTP API: the catch-all route ($default) for unknown paths and wrong
 * methods, the CORS headers a browser needs to read what the README promises, and no
 * empty headers.
 */
describe('the catch-all route', () => {
  it('answers an unknown path 404 NOT_FOUND in the contract shape, with the usual headers', async () => {
    const response = await invoke(fallback, {
      method: 'GET',
      path: '/api/nope',
      headers: { origin: 'https://app.example.com', 'accept-language': 'en' },
    });
    expect({ status: response.status, body: response.body }).toEqual({
      status: 404,
      body: { error: 'Not found', code: 'NOT_FOUND' },
    });
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.allow).toBeUndefined();
  });

  it.each([
    ['POST', '/api/health', 'GET'],
    ['GET', '/api/message/send', 'POST'],
    ['DELETE', '/api/friend/list', 'GET'],
    ['POST', '/api/docs/swagger-ui.css', 'GET'],
  ])('answers %s %s 405 METHOD_NOT_ALLOWED with Allow: %s', async (method, path, allow) => {
    const response = await invoke(fallback, {
      method: method as 'POST',
      path,
    });
    expect({ status: response.status, body: response.body, allow: response.headers.allow }).toEqual(
      {
        status: 405,
        body: { error: '该路径不支持此请求方法', code: 'METHOD_NOT_ALLOWED' },
        allow,
      },
    );
  });

  it('answers a preflight 204 with CORS headers', async () => {
    const response = await invoke(fallback, {
      method: 'OPTIONS',
      path: '/api/message/send',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('CORS', () => {
  it.each([
    ['a success', () => invoke(health, { headers: { origin: 'https://a.example' } })],
    ['an error', () => invoke(login, { method: 'POST', body: '[' })],
    ['a document', () => invoke(openapi, { headers: { origin: 'https://a.example' } })],
  ])('lets browsers read Retry-After, WWW-Authenticate, ETag and Allow on %s', async (_, call) => {
    const response = await call();
    expect(response.headers['access-control-expose-headers']?.split(', ').sort()).toEqual([
      'Allow',
      'ETag',
      'Retry-After',
      'WWW-Authenticate',
    ]);
  });

  describe('with CORS_ORIGINS set to a list', () => {
    const container = loadContainer(
      { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' },
      { health: '../../functions/system/health', openapi: '../../functions/docs/openapi' },
    );
    afterAll(() => container.close());

    it('echoes a listed origin, with Vary: Origin', async () => {
      const response = await invoke(container.handlers.health, {
        headers: { origin: 'https://admin.example.com' },
      });
      expect(response.status).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe('https://admin.example.com');
      expect(response.headers.vary?.split(', ')).toEqual(
        expect.arrayContaining(['Origin', 'Accept-Language']),
      );
    });

    it('gives an unlisted origin no Access-Control-Allow-Origin', async () => {
      const response = await invoke(container.handlers.health, {
        headers: { origin: 'https://evil.example.com' },
      });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect(response.headers.vary?.split(', ')).toContain('Origin');
    });

    it('varies a public document on Origin too', async () => {
      const response = await invoke(container.handlers.openapi, {
        headers: { origin: 'https://app.example.com', 'accept-encoding': 'gzip' },
      });
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers.vary?.split(', ')).toEqual(['Accept-Encoding', 'Origin']);
    });
  });
});

describe('security headers', () => {
  it.each([
    ['an endpoint', () => invoke(health)],
    ['an error', () => invoke(login, { method: 'POST', body: '[' })],
    ['a document', () => invoke(openapi)],
    ['the catch-all', () => invoke(fallback, { path: '/x' })],
  ])('leave out an empty Reporting-Endpoints on %s', async (_, call) => {
    const response = await call();
    expect(response.headers['reporting-endpoints']).toBeUndefined();
    expect(Object.entries(response.headers).filter(([, value]) => value.trim() === '')).toEqual([]);
  });
});

describe('serverless.yml (API Gateway answers CORS once deployed)', () => {
  const serverlessYml = readFileSync(join(__dirname, '../../serverless.yml'), 'utf8');

  it('exposes the same headers as the functions', () => {
    const listed = /exposedResponseHeaders: \[([^\]]*)\]/.exec(serverlessYml)?.[1] ?? '';
    expect(listed.split(',').map((name) => name.trim())).toEqual([...exposedHeaders]);
  });

  it('allows the origins of CORS_ORIGINS, `*` by default', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the file serverless.yml reads
    const { allowedOrigins } = require('../../scripts/serverless-cors.cjs') as {
      allowedOrigins: () => string[];
    };
    const saved = process.env.CORS_ORIGINS;
    try {
      delete process.env.CORS_ORIGINS;
      expect(allowedOrigins()).toEqual(['*']);
      process.env.CORS_ORIGINS = ' https://a.example ,https://b.example';
      expect(allowedOrigins()).toEqual(['https://a.example', 'https://b.example']);
    } finally {
      if (saved === undefined) delete process.env.CORS_ORIGINS;
      else process.env.CORS_ORIGINS = saved;
    }
  });
});

describe('CORS_ORIGINS', () => {
  it('is `*` by default, or a list of origins', () => {
    expect(loadConfig({}).corsOrigins).toEqual(['*']);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:8080,' }).corsOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:8080']);
  });

  it.each(['https://app.example.com/path', 'app.example.com', 'https://*.example.com', ','])(
    'refuses %s with a message naming the variable',
    (value) => {
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
    },
  );
});
