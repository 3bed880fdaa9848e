import { handler as login } from '../../functions/auth/login';
import { handler as register } from '../../functions/auth/register';
import { invoke } from '../helpers/invoke';
import { uniqueName, storedUserByName } from '../helpers/users';

/** What every endpoint's shared stack does with the raw request, shown on register and login. */
describe('the shared HTTP stack', () => {
  it.each([
    ['malformed JSON', '{"username":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"hello"'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['an empty body', ''],
  ])('answers 400 INVALID_JSON for %s', async (_, body) => {
    const response = await invoke(login, { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: '请求体必须是 JSON 对象', code: 'INVALID_JSON' });
  });

  it('answers 400 INVALID_JSON for a POST with no body at all', async () => {
    const response = await invoke(login, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_JSON');
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content type', { 'content-type': '' }],
  ])('answers 415 for %s', async (_, headers) => {
    const response = await invoke(login, {
      method: 'POST',
      body: '{"username":"a","password":"b"}',
      headers,
    });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      error: '请求体必须使用 application/json',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });

  it('accepts a JSON content type with an empty parameter', async () => {
    const response = await invoke(login, {
      body: { username: 'nobody', password: 'whatever1' },
      headers: { 'content-type': 'application/json;' },
    });
    expect(response.status).toBe(401);
  });

  it('accepts a JSON content type with a charset, in any case', async () => {
    const response = await invoke(login, {
      body: { username: 'nobody', password: 'whatever1' },
      headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
    });
    expect(response.status).toBe(401);
  });

  it('answers 413 for a body over 64 KiB and stores nothing', async () => {
    const username = uniqueName();
    const body = JSON.stringify({
      username,
      email: `${username}@example.com`,
      password: 'a fine password',
      padding: 'x'.repeat(64 * 1024),
    });
    const response = await invoke(register, { method: 'POST', body });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedUserByName(username)).toBeUndefined();
  });

  it('measures the limit in bytes, not characters', async () => {
    // 22,000 three-byte characters: under 64 Ki characters, over 64 KiB.
    const body = JSON.stringify({ username: 'x', password: '中'.repeat(22000) });
    const response = await invoke(login, { method: 'POST', body });
    expect(response.status).toBe(413);
  });

  it('reads base64-encoded bodies, as API Gateway may send them', async () => {
    const username = uniqueName();
    const json = JSON.stringify({
      username,
      email: `${username}@example.com`,
      password: 'a fine password',
    });
    const response = await invoke(register, {
      method: 'POST',
      body: Buffer.from(json).toString('base64'),
      headers: { 'content-type': 'application/json' },
      isBase64Encoded: true,
    });
    expect(response.status).toBe(201);
    expect(response.body.data.user.username).toBe(username);
  });

  it('adds CORS headers to successes and errors alike', async () => {
    const success = await invoke(login, {
      body: { username: 'nobody', password: 'x' },
      headers: { origin: 'https://app.example.com' },
    });
    const failure = await invoke(login, {
      method: 'POST',
      body: '[',
      headers: { origin: 'https://app.example.com' },
    });
    expect(success.headers['access-control-allow-origin']).toBe('*');
    expect(failure.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers in English only when the client prefers English', async () => {
    const english = await invoke(login, {
      method: 'POST',
      body: '[]',
      headers: { 'accept-language': 'fr-FR, en;q=0.8' },
    });
    const chinese = await invoke(login, {
      method: 'POST',
      body: '[]',
      headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' },
    });
    const unknown = await invoke(login, {
      method: 'POST',
      body: '[]',
      headers: { 'accept-language': 'de' },
    });
    expect(english.body.error).toBe('The request body must be a JSON object');
    expect(chinese.body.error).toBe('请求体必须是 JSON 对象');
    expect(unknown.body.error).toBe('请求体必须是 JSON 对象');
  });
});

describe('response headers', () => {
  it.each([
    ['a success', { body: { username: 'x', password: 'y' }, method: 'POST' as const }],
    ['an error', { body: '[', method: 'POST' as const }],
  ])('are safe and private on %s', async (_, options) => {
    const response = await invoke(login, { ...options, headers: { origin: 'https://a.example' } });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.vary?.split(', ')).toContain('Accept-Language');
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});
