import { handler as profile } from '../../functions/auth/profile';
import { handler as register } from '../../functions/auth/register';
import { commonPasswordCount } from '../../lib/auth/common-passwords';
import { getDb } from '../../lib/db/connection';
import { invoke } from '../helpers/invoke';
import { issuedTokens, storedUserByName, uniqueName } from '../helpers/users';
import { randomInt } from 'node:crypto';

const isoMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function countUsers(): Promise<number> {
  const db = await getDb();
  const { count } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

describe('POST /api/auth/register', () => {
  it('creates the account, returns the self view and a working token', async () => {
    const username = uniqueName('Alice');
    const response = await invoke(register, {
      body: { username, email: `${username}@Example.COM`, password: 'a fine password' },
    });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      message: '注册成功',
      data: {
        user: {
          id: expect.any(Number),
          username,
          email: `${username.toLowerCase()}@example.com`,
          created_at: expect.stringMatching(isoMillis),
        },
        ...issuedTokens,
      },
    });
    expect(response.rawBody).not.toContain('password');

    const row = await storedUserByName(username);
    expect(row).toMatchObject({ username, email: `${username.toLowerCase()}@example.com` });
    expect(row?.password_hash).toMatch(/^\$2[aby]\$04\$/);
    expect(row?.password_hash).not.toContain('a fine password');

    const me = await invoke(profile, { token: response.body.data.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data.user).toEqual(response.body.data.user);
  });

  it.each([
    ['Chinese', '张三'],
    ['digits and marks', 'user_1.a-b'],
    ['32 characters', '名'.repeat(32)],
    ['combining marks', 'नमस्ते'],
  ])('accepts a %s username', async (_, base) => {
    // Digits belong to every script: the suffix keeps a Devanagari name single-script.
    const username = base.length >= 32 ? base : `${base}_${randomInt(1e8, 1e9)}`;
    const response = await invoke(register, {
      body: { username, email: `${uniqueName('m')}@example.com`, password: 'a fine password' },
    });
    expect(response.status).toBe(201);
    expect(response.body.data.user.username).toBe(username);
    expect((await storedUserByName(username))?.username).toBe(username);
  });

  it.each([
    ['too short', 'a'],
    ['too long', 'a'.repeat(33)],
    ['with a space', 'bob smith'],
    ['with an emoji', 'bob😀'],
    ['with SQL', "x'; DROP TABLE users;--"],
    ['with LIKE wildcards', 'bob%_'],
    ['with an @', 'bob@home'],
    ['empty', ''],
    ['of only punctuation', '__'],
    ['starting with a combining mark', '\u0301abc'],
    ['of only combining marks', '\u0301\u0301'],
  ])('rejects a username %s', async (_, username) => {
    const before = await countUsers();
    const response = await invoke(register, {
      body: { username, email: `${uniqueName('m')}@example.com`, password: 'a fine password' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_ERROR', error: '请求参数无效' });
    expect(response.body.details).toEqual([{ field: 'username', message: expect.any(String) }]);
    expect(await countUsers()).toBe(before);
  });

  it('treats usernames without regard to case', async () => {
    const username = uniqueName('Bob');
    await invoke(register, {
      body: { username, email: `${uniqueName('m')}@example.com`, password: 'a fine password' },
    });
    const response = await invoke(register, {
      body: {
        username: username.toUpperCase(),
        email: `${uniqueName('m')}@example.com`,
        password: 'a fine password',
      },
    });
    expect(response.status).toBe(409);
    expect(response.body).toEqual({ error: '用户名已被占用', code: 'USERNAME_TAKEN' });
  });

  it.each([
    ['Greek final sigma', 'ΟΔΟΣ', 'οδοσ'],
    ['sigma at the end', 'ξψΣ', 'ξψσ'],
    ['German sharp s', 'Straße', 'STRASSE'],
    ['a ligature', 'ﬁsh', 'FISH'],
  ])('treats %s as the same name in either case', async (_, first, second) => {
    const suffix = String(randomInt(1e8, 1e9));
    const registered = await invoke(register, {
      body: {
        username: `${first}${suffix}`,
        email: `${uniqueName('m')}@example.com`,
        password: 'a fine password',
      },
    });
    expect(registered.status).toBe(201);
    const clash = await invoke(register, {
      body: {
        username: `${second}${suffix}`,
        email: `${uniqueName('m')}@example.com`,
        password: 'a fine password',
      },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('USERNAME_TAKEN');
  });

  it('accepts 32 characters whose key and skeleton are the longest possible', async () => {
    // ß case-folds to "ss" (the most, once NFKC has run); a Hangul syllable's skeleton is
    // up to seven code points (its jamo, mapped to look-alikes): 64 and 224, within the
    // columns' 128 and 255.
    for (const username of ['ß'.repeat(32), '\uAF66'.repeat(32)]) {
      const response = await invoke(register, {
        body: { username, email: `${uniqueName('m')}@example.com`, password: 'a fine password' },
      });
      expect(response.status).toBe(201);
      expect(response.body.data.user.username).toBe(username);
    }
  });

  it('treats emails without regard to case', async () => {
    const email = `${uniqueName('carol')}@example.com`;
    await invoke(register, {
      body: { username: uniqueName(), email, password: 'a fine password' },
    });
    const response = await invoke(register, {
      body: { username: uniqueName(), email: email.toUpperCase(), password: 'a fine password' },
    });
    expect(response.status).toBe(409);
    expect(response.body).toEqual({ error: '邮箱已被注册', code: 'EMAIL_TAKEN' });
  });

  it('lets exactly one of several concurrent registrations of a name succeed', async () => {
    const username = uniqueName('race');
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        invoke(register, {
          body: {
            username: index % 2 === 0 ? username : username.toUpperCase(),
            email: `${uniqueName('m')}@example.com`,
            password: 'a fine password',
          },
        }),
      ),
    );
    expect(attempts.filter((response) => response.status === 201)).toHaveLength(1);
    const losers = attempts.filter((response) => response.status !== 201);
    expect(losers).toHaveLength(7);
    for (const loser of losers) expect(loser.body.code).toBe('USERNAME_TAKEN');
    const db = await getDb();
    const rows = await db
      .selectFrom('users')
      .select('id')
      .where('username_key', '=', username.toLowerCase())
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('lets exactly one of several concurrent registrations of an email succeed', async () => {
    const email = `${uniqueName('race')}@example.com`;
    const attempts = await Promise.all(
      Array.from({ length: 6 }, () =>
        invoke(register, { body: { username: uniqueName(), email, password: 'a fine password' } }),
      ),
    );
    expect(attempts.filter((response) => response.status === 201)).toHaveLength(1);
    for (const loser of attempts.filter((response) => response.status !== 201)) {
      expect(loser.body.code).toBe('EMAIL_TAKEN');
    }
  });

  describe('password rules', () => {
    it.each([
      ['8 ASCII characters', 'abcdefgh'],
      ['8 emoji (32 bytes)', '😀'.repeat(8)],
      ['exactly 72 bytes', 'a'.repeat(72)],
      ['SQL text', "' OR '1'='1"],
    ])('accepts %s', async (_, password) => {
      const response = await invoke(register, {
        body: { username: uniqueName(), email: `${uniqueName('m')}@example.com`, password },
      });
      expect(response.status).toBe(201);
    });

    it.each([
      ['7 characters', 'abcdefg', '密码至少 8 个字符'],
      ['73 bytes', 'a'.repeat(73), '密码不能超过 72 字节（UTF-8）'],
      ['37 two-byte characters (74 bytes)', 'é'.repeat(37), '密码不能超过 72 字节（UTF-8）'],
      ['eight NUL characters', '\u0000'.repeat(8), '密码不能包含控制字符'],
      ['a tab inside', 'pass\tword123', '密码不能包含控制字符'],
    ])('rejects %s', async (_, password, message) => {
      const response = await invoke(register, {
        body: { username: uniqueName(), email: `${uniqueName('m')}@example.com`, password },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
      expect(response.body.details).toEqual([{ field: 'password', message }]);
    });
  });

  describe('commonly used passwords', () => {
    it('ship a list of at least 10,000', () => {
      expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    });

    it.each(['12345678', 'password123', 'Password123', 'QWERTYUIOP', 'iloveyou1', 'trustno1'])(
      'refuses %s with 400 WEAK_PASSWORD and creates nothing',
      async (password) => {
        const username = uniqueName();
        const response = await invoke(register, {
          body: { username, email: `${uniqueName('m')}@example.com`, password },
        });
        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          error: '密码过于常见，请换一个更难猜的密码',
          code: 'WEAK_PASSWORD',
        });
        expect(await storedUserByName(username)).toBeUndefined();
      },
    );

    it('says so in English on request', async () => {
      const response = await invoke(register, {
        body: {
          username: uniqueName(),
          email: `${uniqueName('m')}@example.com`,
          password: '12345678',
        },
        headers: { 'accept-language': 'en' },
      });
      expect(response.body).toEqual({
        error: 'This password is too common: choose one that is harder to guess',
        code: 'WEAK_PASSWORD',
      });
    });
  });

  it.each([
    ['not an address', 'not-an-email'],
    ['too long', `${'a'.repeat(250)}@example.com`],
    ['a number', 12345],
  ])('rejects an email that is %s', async (_, email) => {
    const response = await invoke(register, {
      body: { username: uniqueName(), email, password: 'a fine password' },
    });
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([{ field: 'email', message: expect.any(String) }]);
  });

  it('reports every missing field at once, in English on request', async () => {
    const response = await invoke(register, { body: {}, headers: { 'accept-language': 'en' } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'The request is invalid',
      code: 'VALIDATION_ERROR',
      details: [
        { field: 'username', message: 'is required' },
        { field: 'email', message: 'is required' },
        { field: 'password', message: 'is required' },
      ],
    });
  });

  it('ignores unknown fields', async () => {
    const username = uniqueName();
    const response = await invoke(register, {
      body: {
        username,
        email: `${username}@example.com`,
        password: 'a fine password',
        id: 1,
        token_version: 99,
        is_admin: true,
      },
    });
    expect(response.status).toBe(201);
    expect((await storedUserByName(username))?.token_version).toBe(0);
  });
});
