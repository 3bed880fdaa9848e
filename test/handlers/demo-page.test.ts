import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlAttribute, inlineHashes, pagePolicy } from '../../lib/http/page';
import { invoke } from '../helpers/invoke';
import { loadContainer, type IsolatedContainer } from '../helpers/isolated';

const template = readFileSync(join(__dirname, '../../web/demo.html'), 'utf8');

/** The policy's directives, by name. */
function directives(policy: string): Record<string, string> {
  return Object.fromEntries(
    policy.split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('GET /demo', () => {
  let withSocket: IsolatedContainer<'demo'>;
  let withoutSocket: IsolatedContainer<'demo'>;

  beforeAll(() => {
    withSocket = loadContainer(
      { WEBSOCKET_URL: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod' },
      { demo: '../../functions/web/demo' },
    );
    withoutSocket = loadContainer({ WEBSOCKET_URL: '' }, { demo: '../../functions/web/demo' });
  });

  afterAll(async () => {
    await withSocket.close();
    await withoutSocket.close();
  });

  it('answers the page as UTF-8 HTML with the WebSocket URL filled in', async () => {
    const response = await invoke(withSocket.handlers.demo, { path: '/demo' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.rawBody).toContain(
      '<meta name="websocket-url" content="wss://abc123.execute-api.eu-west-1.amazonaws.com/prod" />',
    );
    // Only the tag changed: the script and style are the file's own.
    expect(response.rawBody.length - template.length).toBe(
      'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod'.length,
    );
  });

  it('allows exactly its own inline script and style, by hash, and the WebSocket API', async () => {
    const response = await invoke(withSocket.handlers.demo, { path: '/demo' });
    const policy = directives(response.headers['content-security-policy'] ?? '');
    const script = /<script>([\s\S]*?)<\/script>/.exec(template)?.[1] ?? '';
    const scriptHash = createHash('sha256').update(script).digest('base64');
    expect(policy['script-src']).toBe(`'sha256-${scriptHash}'`);
    expect(policy['style-src']).toMatch(/^'sha256-[A-Za-z0-9+/]+=*'$/);
    expect(policy['connect-src']).toBe("'self' wss://abc123.execute-api.eu-west-1.amazonaws.com");
    expect(policy).toMatchObject({
      'default-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
      'require-trusted-types-for': "'script'",
      'trusted-types': "'none'",
      'img-src': 'data:',
    });
    expect(JSON.stringify(policy)).not.toContain('unsafe');
  });

  it('keeps the stack’s other headers', async () => {
    const response = await invoke(withSocket.handlers.demo, { path: '/demo' });
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=/);
  });

  it('without a WebSocket URL, leaves the tag empty and allows this origin only', async () => {
    const response = await invoke(withoutSocket.handlers.demo, { path: '/demo' });
    expect(response.status).toBe(200);
    expect(response.rawBody).toContain('<meta name="websocket-url" content="" />');
    expect(directives(response.headers['content-security-policy'] ?? '')['connect-src']).toBe(
      "'self'",
    );
  });
});

describe('page helpers', () => {
  it('escapes attribute text', () => {
    expect(htmlAttribute(`a"b'c<d>e&f`)).toBe('a&#34;b&#39;c&#60;d&#62;e&#38;f');
  });

  it('hashes bare inline elements only', () => {
    const html = '<script>one()</script><script src="/x.js"></script><style>p{}</style>';
    expect(inlineHashes(html, 'script')).toHaveLength(1);
    expect(inlineHashes(html, 'style')).toHaveLength(1);
    expect(pagePolicy({ html })).toContain("script-src 'sha256-");
    expect(() => pagePolicy({ html, contentSecurityPolicy: { 'script-src': '*' } })).toThrow();
  });
});
