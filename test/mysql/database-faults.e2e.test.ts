import { signUp, useOfflineApi } from '../e2e/client';
import { TcpProxy } from '../helpers/tcp-proxy';

/**
 * Database faults over HTTP: serverless-offline's functions reach MySQL through a TCP
 * proxy that the test cuts and restores (the machine's MariaDB is never stopped).
 */
const proxy = new TcpProxy(process.env.DB_HOST ?? '127.0.0.1', Number(process.env.DB_PORT ?? 3306));

beforeAll(async () => {
  await proxy.start();
});
afterAll(async () => {
  await proxy.stop();
});

// Evaluated after the proxy has started (hooks run in order), so its port is known.
const { api, call } = useOfflineApi(() => ({
  DB_PORT: String(proxy.port),
  DB_CONNECT_TIMEOUT_MS: '1000',
  DB_QUERY_TIMEOUT_MS: '1500',
}));

it('answers 503 while MySQL is unreachable and recovers by itself', async () => {
  const user = await signUp(api(), `fault_${Date.now().toString(36)}`);
  await proxy.cut();
  const started = Date.now();
  const [health, profile, chats] = await Promise.all([
    call('/api/health'),
    call('/api/auth/profile', { token: user.token }),
    call('/api/message/chats', { token: user.token }),
  ]);
  expect(Date.now() - started).toBeLessThan(8000);
  for (const response of [health, profile, chats]) {
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      error: '服务暂时不可用，请稍后再试',
      code: 'SERVICE_UNAVAILABLE',
    });
  }
  await proxy.restore();
  expect((await call('/api/health')).status).toBe(200);
  expect((await call('/api/auth/profile', { token: user.token })).status).toBe(200);
});

it('answers 503 within the query timeout while MySQL hangs, and recovers', async () => {
  const user = await signUp(api(), `hang_${Date.now().toString(36)}`);
  proxy.blackhole();
  const started = Date.now();
  const profile = await call('/api/auth/profile', { token: user.token });
  expect(Date.now() - started).toBeLessThan(8000);
  expect(profile.status).toBe(503);
  await proxy.restore();
  expect((await call('/api/auth/profile', { token: user.token })).status).toBe(200);
});
