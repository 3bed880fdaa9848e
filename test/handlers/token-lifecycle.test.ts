import { createHash } from 'node:crypto';
import { handler as changePassword } from '../../functions/auth/change-password';
import { handler as login } from '../../functions/auth/login';
import { handler as logout } from '../../functions/auth/logout';
import { handler as profile } from '../../functions/auth/profile';
import { handler as refresh } from '../../functions/auth/refresh';
import { getDb } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { inTransaction } from '../../lib/db/transaction';
import { runHousekeeping } from '../../lib/housekeeping';
import { startSession } from '../../lib/sessions';
import { invoke } from '../helpers/invoke';
import { issuedTokens, registerUser, type TestUser } from '../helpers/users';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

async function profileStatus(token: string): Promise<number> {
  return (await invoke(profile, { token })).status;
}

/** Moves a spent refresh token's rotation `seconds` into the past. */
async function rotatedSecondsAgo(refreshToken: string, seconds: number): Promise<void> {
  const db = await getDb();
  const result = await db
    .updateTable('refresh_tokens')
    .set({ used_at: toDbTimestamp(new Date(Date.now() - seconds * 1000)) })
    .where('token_hash', '=', sha256(refreshToken))
    .where('used_at', 'is not', null)
    .executeTakeFirst();
  expect(result.numUpdatedRows).toBe(1n);
}

async function refreshWith(refreshToken: unknown) {
  return invoke(refresh, { body: { refresh_token: refreshToken } });
}

async function loginAgain(user: TestUser) {
  const response = await invoke(login, {
    body: { username: user.username, password: user.password },
  });
  expect(response.status).toBe(200);
  return {
    token: response.body.data.access_token as string,
    refreshToken: response.body.data.refresh_token as string,
  };
}

describe('refresh tokens', () => {
  it('are stored only as a hash', async () => {
    const user = await registerUser();
    const db = await getDb();
    const rows = await db
      .selectFrom('refresh_tokens as r')
      .innerJoin('sessions as s', 's.id', 'r.session_id')
      .select('r.token_hash')
      .where('s.user_id', '=', user.id)
      .execute();
    expect(rows).toEqual([{ token_hash: sha256(user.refreshToken) }]);
    expect(JSON.stringify(rows)).not.toContain(user.refreshToken);
  });

  it('rotate: each refresh returns a new access token and a new refresh token', async () => {
    const user = await registerUser();
    const first = await refreshWith(user.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      message: '令牌已刷新',
      data: {
        ...issuedTokens,
      },
    });
    expect(first.body.data.refresh_token).not.toBe(user.refreshToken);
    expect(await profileStatus(first.body.data.access_token)).toBe(200);

    const second = await refreshWith(first.body.data.refresh_token);
    expect(second.status).toBe(200);
    expect(await profileStatus(second.body.data.access_token)).toBe(200);
  });

  it('treat a rotated token presented again after the grace window as theft and revoke the whole login', async () => {
    const user = await registerUser();
    const other = await loginAgain(user);
    const rotated = await refreshWith(user.refreshToken);
    expect(rotated.status).toBe(200);
    await rotatedSecondsAgo(user.refreshToken, 21);

    const replay = await refreshWith(user.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({
      error: '未登录或登录已失效',
      code: 'UNAUTHORIZED',
      reason: 'invalid_token',
    });

    // Everything of that login is dead: the original and the rotated tokens alike.
    expect(await profileStatus(user.token)).toBe(401);
    expect(await profileStatus(rotated.body.data.access_token)).toBe(401);
    expect((await refreshWith(rotated.body.data.refresh_token)).status).toBe(401);
    // Another login of the same user is untouched.
    expect(await profileStatus(other.token)).toBe(200);
    expect((await refreshWith(other.refreshToken)).status).toBe(200);
  });

  it('answer a retry within the grace window with a fresh pair, revoking nothing', async () => {
    const user = await registerUser();
    const first = await refreshWith(user.refreshToken);
    // The answer was lost on the way; the client retries with the same token.
    await rotatedSecondsAgo(user.refreshToken, 19);
    const retry = await refreshWith(user.refreshToken);
    expect(retry.status).toBe(200);
    expect(retry.body.data).toEqual(issuedTokens);
    const pairs = [first.body.data, retry.body.data];
    expect(new Set(pairs.map((pair) => pair.refresh_token)).size).toBe(2);
    // Both pairs work: the client may have kept either answer.
    for (const pair of pairs) expect(await profileStatus(pair.access_token)).toBe(200);
    for (const pair of pairs) expect((await refreshWith(pair.refresh_token)).status).toBe(200);
    expect(await profileStatus(user.token)).toBe(200);
  });

  it('let two simultaneous refreshes with one token both through, and both pairs work', async () => {
    const user = await registerUser();
    const results = await Promise.all([
      refreshWith(user.refreshToken),
      refreshWith(user.refreshToken),
    ]);
    expect(results.map((result) => result.status)).toEqual([200, 200]);
    for (const result of results) {
      expect(await profileStatus(result.body.data.access_token)).toBe(200);
    }
    const next = await Promise.all(
      results.map((result) => refreshWith(result.body.data.refresh_token)),
    );
    expect(next.map((result) => result.status)).toEqual([200, 200]);
  });

  it('give no grace to a login that ended: the retry is refused and revokes nothing more', async () => {
    const user = await registerUser();
    const other = await loginAgain(user);
    const first = await refreshWith(user.refreshToken);
    expect(
      (await invoke(logout, { method: 'POST', token: first.body.data.access_token })).status,
    ).toBe(200);
    expect((await refreshWith(user.refreshToken)).status).toBe(401);
    expect(await profileStatus(other.token)).toBe(200);
  });

  it('still catch a replay after housekeeping removed the spent token', async () => {
    const user = await registerUser();
    const rotated = await refreshWith(user.refreshToken);
    await rotatedSecondsAgo(user.refreshToken, 60);
    const report = await runHousekeeping();
    expect(report.refreshTokens).toBeGreaterThanOrEqual(1);
    const db = await getDb();
    const spent = await db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('token_hash', '=', sha256(user.refreshToken))
      .execute();
    expect(spent).toEqual([]);

    const replay = await refreshWith(user.refreshToken);
    expect(replay.status).toBe(401);
    expect(await profileStatus(rotated.body.data.access_token)).toBe(401);
    expect((await refreshWith(rotated.body.data.refresh_token)).status).toBe(401);
  });

  it('expire', async () => {
    const user = await registerUser();
    const db = await getDb();
    await db
      .updateTable('refresh_tokens')
      .set({ expires_at: '2000-01-01 00:00:00.000' })
      .where('token_hash', '=', sha256(user.refreshToken))
      .execute();
    expect((await refreshWith(user.refreshToken)).status).toBe(401);
  });

  it.each([
    ['an unknown token', 'x'.repeat(43), 401],
    ['an access token', 'ACCESS', 401],
    ['an empty string', '', 400],
    ['a number', 42, 400],
    ['null', null, 400],
  ])('answer %s with %d', async (_, value, status) => {
    const user = await registerUser();
    const response = await refreshWith(value === 'ACCESS' ? user.token : value);
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(status === 401 ? 'UNAUTHORIZED' : 'VALIDATION_ERROR');
  });
});

describe('POST /api/auth/logout', () => {
  it('revokes the presented access token and its refresh token, and nothing else', async () => {
    const user = await registerUser();
    const other = await loginAgain(user);

    const response = await invoke(logout, { method: 'POST', token: user.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ message: '已退出登录', data: null });

    expect(await profileStatus(user.token)).toBe(401);
    expect((await refreshWith(user.refreshToken)).status).toBe(401);
    expect((await invoke(logout, { method: 'POST', token: user.token })).status).toBe(401);
    expect(await profileStatus(other.token)).toBe(200);
  });

  it('requires a token', async () => {
    const response = await invoke(logout, { method: 'POST' });
    expect(response.status).toBe(401);
  });
});

describe('change_password', () => {
  it('revokes every earlier token of the user, refresh tokens included', async () => {
    const user = await registerUser();
    const other = await loginAgain(user);
    const response = await invoke(changePassword, {
      token: user.token,
      body: { old_password: user.password, new_password: 'a brand new secret' },
    });
    expect(response.status).toBe(200);
    for (const token of [user.token, other.token]) expect(await profileStatus(token)).toBe(401);
    for (const refreshToken of [user.refreshToken, other.refreshToken]) {
      expect((await refreshWith(refreshToken)).status).toBe(401);
    }
    expect(await profileStatus(response.body.data.access_token)).toBe(200);
    const renewed = await refreshWith(response.body.data.refresh_token);
    expect(renewed.status).toBe(200);
    expect(await profileStatus(renewed.body.data.access_token)).toBe(200);
  });
});

describe('a login that races a password change', () => {
  it('is dead on arrival: its access token and its refresh token are refused', async () => {
    const user = await registerUser();
    const changed = await invoke(changePassword, {
      token: user.token,
      body: { old_password: user.password, new_password: 'a brand new secret' },
    });
    expect(changed.status).toBe(200);
    // The login read the account (version 0) before the change committed, and creates
    // its session after: exactly what a concurrent login with the old password does.
    const db = await getDb();
    const raced = await inTransaction(db, (trx) =>
      startSession(trx, { id: user.id, token_version: 0 }),
    );
    expect(await profileStatus(raced.access_token)).toBe(401);
    expect((await refreshWith(raced.refresh_token)).status).toBe(401);
    expect(await profileStatus(changed.body.data.access_token)).toBe(200);
  });
});
