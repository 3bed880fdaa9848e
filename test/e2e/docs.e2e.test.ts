import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { version as swaggerUiVersion } from 'swagger-ui-dist/package.json';
import { useOfflineApi } from './client';

/**
 * The API reference through serverless-offline, as a browser or a tool fetches it: the
 * OpenAPI document as committed, the AsyncAPI document with this instance's WebSocket URL,
 * the Swagger UI page with its Content-Security-Policy, and the page's files from this
 * server (cacheable, gzipped on request, 304 on a matching ETag, 404 for anything else).
 */

jest.setTimeout(120_000);

const projectRoot = join(__dirname, '../..');
const { api } = useOfflineApi();

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${api().baseUrl}${path}`, { headers });

it('serves the committed OpenAPI document', async () => {
  const response = await get('/api/openapi.json');
  expect(response).toHaveStatus(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-cache');
  expect(response.headers.get('etag')).toMatch(/^"[\w-]+"$/);
  expect(await response.json()).toEqual(
    JSON.parse(readFileSync(join(projectRoot, 'openapi.json'), 'utf8')),
  );
});

it("serves the AsyncAPI document with this instance's WebSocket server", async () => {
  const response = await get('/api/asyncapi.json');
  expect(response).toHaveStatus(200);
  const document = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a document
  expect(document.asyncapi).toBe('3.0.0');
  const url = new URL(api().websocketUrl);
  expect(document.servers.websocket).toMatchObject({ host: url.host, protocol: 'ws' });
  expect(Object.keys(document.components.messages)).toContain('message.new');
});

it('serves the interactive reference page with its own Content-Security-Policy', async () => {
  const response = await get('/api/docs');
  expect(response).toHaveStatus(200);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const policy = response.headers.get('content-security-policy') ?? '';
  expect(policy).toContain("default-src 'none'");
  expect(policy).toMatch(/script-src 'self' 'sha256-[^']+'/);
  expect(policy).toContain("connect-src 'self'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain('sandbox');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const html = await response.text();
  expect(html).toContain(`docs/swagger-ui-bundle.js?v=${swaggerUiVersion}`);
  expect(html).toContain('href="asyncapi.json"');
  // Nothing from elsewhere: every URL on the page is relative to this server.
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
});

it("serves Swagger UI's files from this server: cacheable, gzipped, validated by ETag", async () => {
  const shipped = readFileSync(
    join(projectRoot, 'node_modules/swagger-ui-dist/swagger-ui-bundle.js'),
  );
  const plain = await get('/api/docs/swagger-ui-bundle.js');
  expect(plain).toHaveStatus(200);
  expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(plain.headers.get('cache-control')).toBe('public, max-age=86400');
  const etag = plain.headers.get('etag');
  expect(etag).toMatch(/^"[\w-]+"$/);
  expect(Buffer.from(await plain.arrayBuffer()).equals(shipped)).toBe(true);

  // fetch() would decompress by itself: ask node's http layer for the raw bytes instead.
  const { request } = await import('node:http');
  const gzipped = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
    request(`${api().baseUrl}/api/docs/swagger-ui-bundle.js`, {
      headers: { 'accept-encoding': 'gzip' },
    })
      .on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            encoding: response.headers['content-encoding'],
            body: Buffer.concat(chunks),
          }),
        );
      })
      .on('error', reject)
      .end();
  });
  expect(gzipped.encoding).toBe('gzip');
  expect(gzipped.body.length).toBeLessThan(shipped.length / 2);
  expect(gunzipSync(gzipped.body).equals(shipped)).toBe(true);

  const unchanged = await get('/api/docs/swagger-ui-bundle.js', { 'if-none-match': etag ?? '' });
  expect(unchanged).toHaveStatus(304);

  const css = await get('/api/docs/swagger-ui.css');
  expect(css).toHaveStatus(200);
  expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  const icon = await get('/api/docs/favicon-32x32.png');
  expect(icon).toHaveStatus(200);
  expect(icon.headers.get('content-type')).toBe('image/png');
  expect(
    Buffer.from(await icon.arrayBuffer())
      .subarray(1, 4)
      .toString(),
  ).toBe('PNG');

  for (const path of ['/api/docs/index.html', '/api/docs/..%2Fpackage.json', '/api/docs/x.js']) {
    expect([path, (await get(path)).status]).toEqual([path, 404]);
  }
});
