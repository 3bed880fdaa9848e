import { handler as login } from '../../functions/auth/login';
import { handler as profile } from '../../functions/auth/profile';
import { handler as refresh } from '../../functions/auth/refresh';
import { handler as connect } from '../../functions/ws/connect';
import { getDb } from '../../lib/db/connection';
import { MAX_LIVE_LOGINS } from '../../lib/sessions';
import { invoke } from '../helpers/invoke';
import { issuedTokens, registerUser } from '../helpers/users';
import { connectionId, invokeWs, useRecordingGateway } from '../helpers/ws';

const gateway = useRecordingGateway();

describe('POST /api/auth/login', () => {
  it('signs in by username, without regard to case', async () => {
    const user = await registerUser();
    const response = await invoke(login, {
      body: { username: user.username.toUpperCase(), password: user.password },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '登录成功',
      data: {
        ...issuedTokens,
        user: {
          id: user.id,
          username: user.username,
          email: user.email,
          created_at: expect.any(String),
        },
      },
    });
    const me = await invoke(profile, { token: response.body.data.access_token });
    expect(me.body.data.user.id).toBe(user.id);
  });

  it('signs in by email, without regard to case', async () => {
    const user = await registerUser();
    const response = await invoke(login, {
      body: { username: user.email.toUpperCase(), password: user.password },
    });
    expect(response.status).toBe(200);
    expect(response.body.data.user.id).toBe(user.id);
  });

  it('signs in a Unicode username with a Unicode password', async () => {
    const user = await registerUser({
      username: `张三${Date.now() % 100000}`,
      password: '密码🔑密码🔑密码',
    });
    const response = await invoke(login, {
      body: { username: user.username, password: user.password },
    });
    expect(response.status).toBe(200);
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const user = await registerUser();
    const wrongPassword = await invoke(login, {
      body: { username: user.username, password: `${user.password}x` },
    });
    const unknownUser = await invoke(login, {
      body: { username: `${user.username}_nobody`, password: user.password },
    });
    const unknownEmail = await invoke(login, {
      body: { username: `nobody.${user.email}`, password: user.password },
    });
    for (const response of [wrongPassword, unknownUser, unknownEmail]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: '用户名或密码错误', code: 'INVALID_CREDENTIALS' });
    }
  });

  it('refuses a password that only matches in its first 72 bytes', async () => {
    const user = await registerUser({ password: 'p'.repeat(72) });
    const response = await invoke(login, {
      body: { username: user.username, password: `${user.password}extra` },
    });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('INVALID_CREDENTIALS');
  });

  it.each([
    ['missing password', { username: 'someone' }, 'password'],
    ['missing username', { password: 'a fine password' }, 'username'],
    ['numeric username', { username: 123, password: 'a fine password' }, 'username'],
    ['blank username', { username: '   ', password: 'a fine password' }, 'username'],
    ['empty password', { username: 'someone', password: '' }, 'password'],
    ['object password', { username: 'someone', password: { $ne: null } }, 'password'],
  ])('answers 400 for a %s', async (_, body, field) => {
    const response = await invoke(login, { body });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.details.map((detail: { field: string }) => detail.field)).toEqual([field]);
  });

  it('is not fooled by SQL in the username', async () => {
    await registerUser();
    const response = await invoke(login, {
      body: { username: "' OR '1'='1' -- ", password: "' OR '1'='1" },
    });
    expect(response.status).toBe(401);
  });

  it('keeps at most 50 live logins: a new one ends the oldest and closes its connections', async () => {
    const user = await registerUser();
    // The registration's login (the oldest) has a WebSocket connection open.
    const socket = connectionId();
    const opened = await invokeWs(connect, '$connect', {
      connectionId: socket,
      query: { token: user.token },
    });
    expect(opened.status).toBe(200);
    const logins = [];
    for (let index = 0; index < MAX_LIVE_LOGINS - 1; index += 1) {
      const response = await invoke(login, {
        body: { username: user.username, password: user.password },
      });
      expect(response.status).toBe(200);
      logins.push(response.body.data);
    }
    // Fifty logins: all alive, nothing closed.
    expect(await liveLogins(user.id)).toBe(MAX_LIVE_LOGINS);
    expect((await invoke(profile, { token: user.token })).status).toBe(200);
    expect(gateway.closed).toEqual([]);

    const newest = await invoke(login, {
      body: { username: user.username, password: user.password },
    });
    expect(newest.status).toBe(200);
    expect(await liveLogins(user.id)).toBe(MAX_LIVE_LOGINS);
    expect((await invoke(profile, { token: user.token })).status).toBe(401);
    expect((await invoke(refresh, { body: { refresh_token: user.refreshToken } })).status).toBe(
      401,
    );
    expect(gateway.closed).toEqual([socket]);
    // The next oldest and the newest still work.
    expect((await invoke(profile, { token: logins[0].access_token })).status).toBe(200);
    expect((await invoke(profile, { token: newest.body.data.access_token })).status).toBe(200);
  });
});

async function liveLogins(userId: number): Promise<number> {
  const db = await getDb();
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.length;
}
