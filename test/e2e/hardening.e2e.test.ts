import fc from 'fast-check';
import { signUp, useOfflineApi } from './client';

/**
 * Token lifecycle, rate limits and security headers over real HTTP through
 * serverless-offline. Limits are on, and small, for this instance only. (Database faults
 * over HTTP: test/mysql/database-faults.e2e.test.ts.)
 */
const { api, call } = useOfflineApi({
  RATE_LIMITS: 'on',
  RATE_LIMIT_LOGIN_PER_ACCOUNT_IP: '3/900',
  // No grace for retries here: a replayed refresh token is theft at once.
  REFRESH_REUSE_GRACE_SECONDS: '0',
  RATE_LIMIT_LOGIN_PER_IP: '1000/900',
  RATE_LIMIT_REGISTER_PER_IP: '1000/3600',
  RATE_LIMIT_SEND_PER_USER: '1000/60',
});
const t = Date.now().toString(36);

it('sends security headers and never caches', async () => {
  const response = await call('/api/health');
  expect(response).toHaveStatus(200);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
});

it('rotates refresh tokens, revokes a login on reuse and on logout', async () => {
  const registered = await call('/api/auth/register', {
    body: { username: `tok_${t}`, email: `tok_${t}@example.com`, password: 'a fine password' },
  });
  expect(registered).toHaveStatus(201);
  const { access_token: access, refresh_token: refreshToken } = registered.body.data;
  expect(typeof refreshToken).toBe('string');

  const rotated = await call('/api/auth/refresh', { body: { refresh_token: refreshToken } });
  expect(rotated).toHaveStatus(200);
  expect(rotated.body.data.refresh_token).not.toBe(refreshToken);
  expect(await call('/api/auth/profile', { token: rotated.body.data.access_token })).toHaveStatus(
    200,
  );

  const replay = await call('/api/auth/refresh', { body: { refresh_token: refreshToken } });
  expect(replay).toHaveStatus(401);
  const revoked = await call('/api/auth/profile', { token: rotated.body.data.access_token });
  expect(revoked).toHaveStatus(401);
  expect(revoked.body.reason).toBe('invalid_token');
  expect(revoked.headers.get('www-authenticate')).toBe(
    'Bearer realm="chat-backend", error="invalid_token", error_description="The token is invalid, revoked or expired"',
  );
  expect(await call('/api/auth/profile', { token: access })).toHaveStatus(401);

  const login = await call('/api/auth/login', {
    body: { username: `tok_${t}`, password: 'a fine password' },
  });
  expect(login).toHaveStatus(200);
  const out = await call('/api/auth/logout', {
    method: 'POST',
    token: login.body.data.access_token,
  });
  expect(out).toHaveStatus(200);
  expect(await call('/api/auth/profile', { token: login.body.data.access_token })).toHaveStatus(
    401,
  );
  const afterLogout = await call('/api/auth/refresh', {
    body: { refresh_token: login.body.data.refresh_token },
  });
  expect(afterLogout).toHaveStatus(401);
});

it('limits login attempts per account and client IP with 429 and Retry-After', async () => {
  const user = await signUp(api(), `lim_${t}`);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const response = await call('/api/auth/login', {
      body: { username: user.username, password: 'wrong-password' },
    });
    expect(response).toHaveStatus(401);
  }
  const blocked = await call('/api/auth/login', {
    body: { username: user.username, password: 'a fine password' },
  });
  expect(blocked).toHaveStatus(429);
  expect(blocked.body.code).toBe('RATE_LIMITED');
  const retryAfter = Number(blocked.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(900);
});

it('answers random requests over HTTP below 500, in the contract shape', async () => {
  const user = await signUp(api(), `fz_${t}`);
  const paths = [
    ['POST', '/api/auth/register'],
    ['POST', '/api/auth/login'],
    ['POST', '/api/auth/refresh'],
    ['POST', '/api/friend/add'],
    ['POST', '/api/message/send'],
    ['POST', '/api/message/mark_read'],
    ['GET', '/api/friend/search'],
    ['GET', '/api/message/history'],
  ] as const;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...paths),
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
        fc.string({ maxLength: 80 }),
      ),
      fc.dictionary(
        fc.constantFrom('keyword', 'friend_id', 'limit', 'before_id', 'x'),
        fc.string({ maxLength: 20 }),
      ),
      fc.boolean(),
      async ([method, path], rawBody, query, withToken) => {
        const search = new URLSearchParams(query).toString();
        const response = await call(`${path}${method === 'GET' && search ? `?${search}` : ''}`, {
          method,
          ...(method === 'POST'
            ? { rawBody, headers: { 'content-type': 'application/json' } }
            : {}),
          ...(withToken ? { token: user.token } : {}),
        });
        expect(response).toHaveStatusBelow(500);
        expect(typeof response.body).toBe('object');
        if (response.status >= 400) {
          expect(typeof response.body.code).toBe('string');
          expect(typeof response.body.error).toBe('string');
        }
        expect(response.text).not.toMatch(/\$2[aby]\$|password_hash|\s+at \S+ \(/);
      },
    ),
    { numRuns: 300 },
  );
});
