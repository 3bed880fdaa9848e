import * as bcrypt from 'bcryptjs';
import { handler as changePassword } from '../../functions/auth/change-password';
import { handler as login } from '../../functions/auth/login';
import { handler as profile } from '../../functions/auth/profile';
import { getDb } from '../../lib/db/connection';
import { invoke } from '../helpers/invoke';
import { issuedTokens, registerUser } from '../helpers/users';

// bcrypt's two calls, watched: which refusals cost a bcrypt run, and how many a change costs.
jest.mock('bcryptjs', () => {
  const actual = jest.requireActual('bcryptjs');
  return { ...actual, compare: jest.fn(actual.compare), hash: jest.fn(actual.hash) };
});
const bcryptCalls = () => ({
  compare: (bcrypt.compare as jest.Mock).mock.calls.length,
  hash: (bcrypt.hash as jest.Mock).mock.calls.length,
});

async function storedUser(id: number) {
  const db = await getDb();
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('POST /api/auth/change_password', () => {
  it('changes the password, returns a fresh token and revokes every older one', async () => {
    const user = await registerUser();
    const second = await invoke(login, {
      body: { username: user.username, password: user.password },
    });
    const secondToken: string = second.body.data.access_token;
    const before = await storedUser(user.id);

    const response = await invoke(changePassword, {
      token: user.token,
      body: { old_password: user.password, new_password: 'a brand new secret' },
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '密码修改成功',
      data: {
        ...issuedTokens,
      },
    });
    const after = await storedUser(user.id);
    expect(after.token_version).toBe(before.token_version + 1);
    expect(after.password_hash).not.toBe(before.password_hash);

    for (const token of [user.token, secondToken]) {
      const revoked = await invoke(profile, { token });
      expect(revoked.status).toBe(401);
      expect(revoked.body.code).toBe('UNAUTHORIZED');
    }
    const fresh = await invoke(profile, { token: response.body.data.access_token });
    expect(fresh.status).toBe(200);

    const oldLogin = await invoke(login, {
      body: { username: user.username, password: user.password },
    });
    expect(oldLogin.status).toBe(401);
    const newLogin = await invoke(login, {
      body: { username: user.username, password: 'a brand new secret' },
    });
    expect(newLogin.status).toBe(200);
  });

  it('answers 400 WRONG_PASSWORD and changes nothing when the old password is wrong', async () => {
    const user = await registerUser();
    const before = await storedUser(user.id);
    const response = await invoke(changePassword, {
      token: user.token,
      body: { old_password: 'not my password', new_password: 'a brand new secret' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: '原密码错误', code: 'WRONG_PASSWORD' });
    expect(await storedUser(user.id)).toEqual(before);
    expect((await invoke(profile, { token: user.token })).status).toBe(200);
  });

  it('answers 400 SAME_PASSWORD when nothing would change, without any bcrypt work', async () => {
    const user = await registerUser();
    jest.clearAllMocks();
    const response = await invoke(changePassword, {
      token: user.token,
      body: { old_password: user.password, new_password: user.password },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('SAME_PASSWORD');
    expect(bcryptCalls()).toEqual({ compare: 0, hash: 0 });
    expect((await invoke(profile, { token: user.token })).status).toBe(200);
  });

  it('costs one bcrypt check of the old password and one hash of the new', async () => {
    const user = await registerUser();
    jest.clearAllMocks();
    const response = await invoke(changePassword, {
      token: user.token,
      body: { old_password: user.password, new_password: 'a brand new secret' },
    });
    expect(response.status).toBe(200);
    expect(bcryptCalls()).toEqual({ compare: 1, hash: 1 });
  });

  it.each(['12345678', 'Password123', 'sunshine'])(
    'answers 400 WEAK_PASSWORD for a commonly used new password (%s) and changes nothing',
    async (newPassword) => {
      const user = await registerUser();
      const before = await storedUser(user.id);
      jest.clearAllMocks();
      const response = await invoke(changePassword, {
        token: user.token,
        body: { old_password: user.password, new_password: newPassword },
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: '密码过于常见，请换一个更难猜的密码',
        code: 'WEAK_PASSWORD',
      });
      expect(bcryptCalls()).toEqual({ compare: 0, hash: 0 });
      expect(await storedUser(user.id)).toEqual(before);
      expect((await invoke(profile, { token: user.token })).status).toBe(200);
    },
  );

  it.each([
    ['too short', 'short'],
    ['over 72 bytes', '长'.repeat(25)],
    ['not a string', 12345678],
  ])('applies the register rules to the new password (%s)', async (_, newPassword) => {
    const user = await registerUser();
    const response = await invoke(changePassword, {
      token: user.token,
      body: { old_password: user.password, new_password: newPassword },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.details[0].field).toBe('new_password');
  });

  it('requires a token before looking at the body', async () => {
    const response = await invoke(changePassword, { method: 'POST', body: 'not json' });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
  });

  it('lets only one of two concurrent changes win', async () => {
    const user = await registerUser();
    const results = await Promise.all(
      ['first new secret', 'second new secret'].map((newPassword) =>
        invoke(changePassword, {
          token: user.token,
          body: { old_password: user.password, new_password: newPassword },
        }),
      ),
    );
    const statuses = results.map((response) => response.status).sort();
    // Both may succeed only if they ran one after the other, which the version check forbids.
    expect(statuses).toEqual([200, 401]);
    expect((await storedUser(user.id)).token_version).toBe(1);
  });
});
