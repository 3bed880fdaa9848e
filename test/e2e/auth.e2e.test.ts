import { useOfflineApi } from './client';

/**
 * The auth and health endpoints over real HTTP, through serverless-offline and the
 * bundled functions, on SQLite (npm test) or MySQL (npm run test:mysql).
 */
const { api, call } = useOfflineApi();

const suffix = Date.now().toString(36);

describe('over HTTP', () => {
  it('GET /api/health answers 200 with the database type', async () => {
    const response = await call('/api/health');
    expect(response).toHaveStatus(200);
    expect(response.body).toEqual({
      message: '服务运行正常',
      data: { status: 'ok', database: 'ok', db_type: api().dbType },
    });
  });

  it('registers, logs in, reads the profile and changes the password', async () => {
    const username = `张三_${suffix}`;
    const email = `zhang_${suffix}@Example.com`;
    const registered = await call('/api/auth/register', {
      body: { username, email, password: 'a fine password' },
    });
    expect(registered).toHaveStatus(201);
    expect(registered.body.data.user).toEqual({
      id: expect.any(Number),
      username,
      email: email.toLowerCase(),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    const again = await call('/api/auth/register', {
      body: {
        username: username.toUpperCase(),
        email: `other_${suffix}@example.com`,
        password: 'a fine password',
      },
    });
    expect(again).toHaveStatus(409);
    expect(again.body).toEqual({ error: '用户名已被占用', code: 'USERNAME_TAKEN' });

    const sameEmail = await call('/api/auth/register', {
      body: {
        username: `other_${suffix}`,
        email: email.toUpperCase(),
        password: 'a fine password',
      },
    });
    expect(sameEmail).toHaveStatus(409);
    expect(sameEmail.body.code).toBe('EMAIL_TAKEN');

    const loggedIn = await call('/api/auth/login', {
      body: { username: email.toUpperCase(), password: 'a fine password' },
    });
    expect(loggedIn).toHaveStatus(200);
    expect(loggedIn.body.data).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const token: string = loggedIn.body.data.access_token;

    const me = await call('/api/auth/profile', { token });
    expect(me).toHaveStatus(200);
    expect(me.body.data.user).toEqual(registered.body.data.user);

    const wrongOld = await call('/api/auth/change_password', {
      token,
      body: { old_password: 'nope-nope', new_password: 'new password 1' },
    });
    expect(wrongOld).toHaveStatus(400);
    expect(wrongOld.body.code).toBe('WRONG_PASSWORD');

    const same = await call('/api/auth/change_password', {
      token,
      body: { old_password: 'a fine password', new_password: 'a fine password' },
    });
    expect(same).toHaveStatus(400);
    expect(same.body.code).toBe('SAME_PASSWORD');

    const changed = await call('/api/auth/change_password', {
      token,
      body: { old_password: 'a fine password', new_password: 'new password 1' },
    });
    expect(changed).toHaveStatus(200);
    expect(await call('/api/auth/profile', { token })).toHaveStatus(401);
    expect(
      (await call('/api/auth/profile', { token: registered.body.data.access_token })).status,
    ).toBe(401);
    expect(
      (await call('/api/auth/profile', { token: changed.body.data.access_token })).status,
    ).toBe(200);

    const oldLogin = await call('/api/auth/login', {
      body: { username, password: 'a fine password' },
    });
    expect(oldLogin).toHaveStatus(401);
    expect(oldLogin.body).toEqual({ error: '用户名或密码错误', code: 'INVALID_CREDENTIALS' });
  });

  it('answers bad input with the contract errors', async () => {
    const invalid = await call('/api/auth/register', {
      body: { username: 'x', email: 'nope', password: 1 },
      headers: { 'accept-language': 'en' },
    });
    expect(invalid).toHaveStatus(400);
    expect(invalid.body.code).toBe('VALIDATION_ERROR');
    expect(invalid.body.error).toBe('The request is invalid');
    expect(invalid.body.details.map((detail: { field: string }) => detail.field)).toEqual([
      'username',
      'email',
      'password',
    ]);

    const malformed = await call('/api/auth/login', {
      rawBody: '{"username":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed).toHaveStatus(400);
    expect(malformed.body.code).toBe('INVALID_JSON');

    const notObject = await call('/api/auth/login', { body: ['username', 'password'] });
    expect(notObject).toHaveStatus(400);
    expect(notObject.body.code).toBe('INVALID_JSON');

    const wrongType = await call('/api/auth/login', {
      rawBody: 'username=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrongType).toHaveStatus(415);
    expect(wrongType.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const huge = await call('/api/auth/login', {
      body: { username: 'a', password: 'b', padding: 'x'.repeat(70 * 1024) },
    });
    expect(huge).toHaveStatus(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');

    const noToken = await call('/api/auth/profile');
    expect(noToken).toHaveStatus(401);
    expect(noToken.body).toEqual({
      error: '未登录或登录已失效',
      code: 'UNAUTHORIZED',
      reason: 'missing_token',
    });
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer realm="chat-backend"');

    const forged = await call('/api/auth/profile', {
      token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwidmVyIjowfQ.',
    });
    expect(forged).toHaveStatus(401);
  });

  it('answers CORS preflight requests', async () => {
    const response = await fetch(`${api().baseUrl}/api/auth/login`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(response).toHaveStatusBelow(300);
    expect(response.headers.get('access-control-allow-origin')).toBeTruthy();
  });
});
