import type { LambdaHandler } from '../../lib/http/handler';
import { invoke } from '../helpers/invoke';
import { freePort } from '../helpers/ports';

/** Loads a handler in a fresh module registry, under a changed environment. */
async function loadWith<T>(env: Record<string, string>, load: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let loaded: Promise<T> | undefined;
    jest.isolateModules(() => {
      loaded = load();
    });
    return await (loaded as Promise<T>);
  } finally {
    process.env = saved;
  }
}

describe('when the database cannot be reached', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });

  it.each([
    ['health', async () => (await import('../../functions/system/health')).handler, {}],
    [
      'login',
      async () => (await import('../../functions/auth/login')).handler,
      { body: { username: 'someone', password: 'password123' } },
    ],
  ] as const)('%s answers 503 SERVICE_UNAVAILABLE (MySQL down)', async (_, load, request) => {
    const env = {
      DB_TYPE: 'mysql',
      DB_HOST: '127.0.0.1',
      DB_PORT: String(port),
      DB_CONNECT_TIMEOUT_MS: '1000',
    };
    // The handler reads its configuration when it loads, as a Lambda does at cold start.
    const handler: LambdaHandler = await loadWith(env, load);
    const response = await invoke(handler, request);
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      error: '服务暂时不可用，请稍后再试',
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('health answers 503 when the SQLite file cannot be opened', async () => {
    const env = { DB_TYPE: 'sqlite', SQLITE_PATH: '/proc/self/cannot/create/chat.sqlite' };
    const handler: LambdaHandler = await loadWith(
      env,
      async () => (await import('../../functions/system/health')).handler,
    );
    const response = await invoke(handler);
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(response.rawBody).not.toContain('/proc');
  });
});
