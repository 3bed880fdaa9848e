import { signUp, useOfflineApi } from './client';

/**
 * Token lifecycle, rate limits and security headers over real HTTP through
 * serverless-offline. Limits are on, and small, for this instance only. (Database faults
 * over HTTP: test/mysql/database-faults.e2e.test.ts.)
 */
const { api, call } = useOfflineApi({
  RATE_LIMITS: 'on',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '3/900',
  RATE_LIMIT_LOGIN_PER_IP: '1000/900',
  RATE_LIMIT_REGISTER_PER_IP: '1000/3600',
  RATE_LIMIT_SEND_PER_USER: '1000/60',
});
const t = Date.now().toString(36);

it('sends security headers and never caches', async () => {
  const response = await call('/api/health');
  expect(response.status).toBe(200);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
});

it('rotates refresh tokens, revokes a login on reuse and on logout', async () => {
  const registered = await call('/api/auth/register', {
    body: { username: `tok_${t}`, email: `tok_${t}@example.com`, password: 'password123' },
  });
  expect(registered.status).toBe(201);
  const { access_token: access, refresh_token: refreshToken } = registered.body.data;
  expect(typeof refreshToken).toBe('string');

  const rotated = await call('/api/auth/refresh', { body: { refresh_token: refreshToken } });
  expect(rotated.status).toBe(200);
  expect(rotated.body.data.refresh_token).not.toBe(refreshToken);
  expect((await call('/api/auth/profile', { token: rotated.body.data.access_token })).status).toBe(
    200,
  );

  const replay = await call('/api/auth/refresh', { body: { refresh_token: refreshToken } });
  expect(replay.status).toBe(401);
  expect((await call('/api/auth/profile', { token: rotated.body.data.access_token })).status).toBe(
    401,
  );
  expect((await call('/api/auth/profile', { token: access })).status).toBe(401);

  const login = await call('/api/auth/login', {
    body: { username: `tok_${t}`, password: 'password123' },
  });
  expect(login.status).toBe(200);
  const out = await call('/api/auth/logout', {
    method: 'POST',
    token: login.body.data.access_token,
  });
  expect(out.status).toBe(200);
  expect((await call('/api/auth/profile', { token: login.body.data.access_token })).status).toBe(
    401,
  );
  const afterLogout = await call('/api/auth/refresh', {
    body: { refresh_token: login.body.data.refresh_token },
  });
  expect(afterLogout.status).toBe(401);
});

it('limits failed logins per account with 429 and Retry-After', async () => {
  const user = await signUp(api(), `lim_${t}`);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const response = await call('/api/auth/login', {
      body: { username: user.username, password: 'wrong-password' },
    });
    expect(response.status).toBe(401);
  }
  const blocked = await call('/api/auth/login', {
    body: { username: user.username, password: 'password123' },
  });
  expect(blocked.status).toBe(429);
  expect(blocked.body.code).toBe('RATE_LIMITED');
  const retryAfter = Number(blocked.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(900);
});
