import { handler as add } from '../../functions/friend/add';
import { handler as search } from '../../functions/friend/search';
import { invoke } from '../helpers/invoke';
import { letterTag as tag, registerUser, type TestUser } from '../helpers/users';

async function searchNames(user: TestUser, query: Record<string, string>): Promise<string[]> {
  const response = await invoke(search, { token: user.token, query });
  expect(response.status).toBe(200);
  return response.body.data.users.map((found: { username: string }) => found.username);
}

describe('GET /api/friend/search', () => {
  let me: TestUser;
  beforeAll(async () => {
    me = await registerUser();
  });

  it('finds usernames containing the keyword without regard to case, with is_friend', async () => {
    const t = tag();
    const friend = await registerUser({ username: `X${t}Y` });
    const other = await registerUser({ username: `${t.toUpperCase()}z` });
    await invoke(add, { token: me.token, body: { friend_username: friend.username } });

    const response = await invoke(search, { token: me.token, query: { keyword: t } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '搜索成功',
      data: {
        users: [
          { id: other.id, username: other.username, is_friend: false },
          { id: friend.id, username: friend.username, is_friend: true },
        ],
      },
    });
  });

  it('orders exact match, then prefix matches, then the rest, each by username', async () => {
    const t = tag();
    for (const username of [`b${t}`, `${t}b`, `A${t}`, `${t}A`, t.toUpperCase(), `${t}_`]) {
      await registerUser({ username });
    }
    expect(await searchNames(me, { keyword: t })).toEqual([
      t.toUpperCase(),
      `${t}_`,
      `${t}A`,
      `${t}b`,
      `A${t}`,
      `b${t}`,
    ]);
  });

  it('takes %, _ and \\ literally', async () => {
    const t = tag();
    for (const username of [`${t}_x`, `${t}ax`, `${t}.x`]) await registerUser({ username });
    expect(await searchNames(me, { keyword: `${t}_` })).toEqual([`${t}_x`]);
    expect(await searchNames(me, { keyword: `${t}%` })).toEqual([]);
    expect(await searchNames(me, { keyword: '%' })).toEqual([]);
    expect(await searchNames(me, { keyword: '%%' })).toEqual([]);
    expect(await searchNames(me, { keyword: '\\' })).toEqual([]);
    expect(await searchNames(me, { keyword: `${t}\\_` })).toEqual([]);
    expect(await searchNames(me, { keyword: '!' })).toEqual([]);
    expect(await searchNames(me, { keyword: '!%' })).toEqual([]);
    expect(await searchNames(me, { keyword: `${t}.` })).toEqual([`${t}.x`]);
  });

  it('is not fooled by SQL', async () => {
    await registerUser();
    for (const keyword of [
      "' OR '1'='1",
      "x' UNION SELECT email FROM users --",
      '"; DROP TABLE users; --',
    ]) {
      expect(await searchNames(me, { keyword })).toEqual([]);
    }
    expect(
      (await searchNames(me, { keyword: me.username.slice(0, 3) })).length,
    ).toBeGreaterThanOrEqual(0);
  });

  it('finds Unicode names and treats emoji as plain characters', async () => {
    const t = tag();
    const zhang = await registerUser({ username: `张三${t}` });
    expect(await searchNames(me, { keyword: `张三${t}` })).toEqual([zhang.username]);
    expect(await searchNames(me, { keyword: '😀' })).toEqual([]);
  });

  it('finds a user by exact email, in any case, without echoing the email', async () => {
    const target = await registerUser();
    const response = await invoke(search, {
      token: me.token,
      query: { keyword: `  ${target.email.toUpperCase()} ` },
    });
    expect(response.body.data.users).toEqual([
      { id: target.id, username: target.username, is_friend: false },
    ]);
    expect(response.rawBody.toLowerCase()).not.toContain(target.email);
    expect(await searchNames(me, { keyword: target.email.slice(0, -4) })).toEqual([]);
    expect(await searchNames(me, { keyword: '@example.com' })).toEqual([]);
  });

  it('never returns the caller', async () => {
    expect(await searchNames(me, { keyword: me.username })).toEqual([]);
    expect(await searchNames(me, { keyword: me.email })).toEqual([]);
  });

  it('returns 20 results by default and at most `limit`', async () => {
    const t = tag();
    for (let index = 0; index < 23; index += 1) {
      await registerUser({ username: `${t}${String.fromCharCode(97 + index)}` });
    }
    expect(await searchNames(me, { keyword: t })).toHaveLength(20);
    expect(await searchNames(me, { keyword: t, limit: '2' })).toEqual([`${t}a`, `${t}b`]);
    expect(await searchNames(me, { keyword: t, limit: '50' })).toHaveLength(23);
  });

  it.each([
    ['no keyword', {}, 'keyword', '必填'],
    ['a blank keyword', { keyword: '   ' }, 'keyword', '不能为空'],
    [
      'a keyword over 64 characters',
      { keyword: 'a'.repeat(65) },
      'keyword',
      '长度须为 1-64 个字符',
    ],
    ['limit 0', { keyword: 'a', limit: '0' }, 'limit', '须为 1 到 50 之间的整数'],
    ['limit 51', { keyword: 'a', limit: '51' }, 'limit', '须为 1 到 50 之间的整数'],
    ['limit abc', { keyword: 'a', limit: 'abc' }, 'limit', '须为 1 到 50 之间的整数'],
    ['limit 1.5', { keyword: 'a', limit: '1.5' }, 'limit', '须为 1 到 50 之间的整数'],
    ['limit -1', { keyword: 'a', limit: '-1' }, 'limit', '须为 1 到 50 之间的整数'],
  ])('answers 400 for %s', async (_, query, field, message) => {
    const response = await invoke(search, { token: me.token, query });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.details).toEqual([{ field, message }]);
  });

  it('counts the 64-character limit in characters, not UTF-16 units', async () => {
    const response = await invoke(search, { token: me.token, query: { keyword: '😀'.repeat(64) } });
    expect(response.status).toBe(200);
    expect(response.body.data.users).toEqual([]);
  });

  it('requires a token', async () => {
    expect((await invoke(search, { query: { keyword: 'a' } })).status).toBe(401);
  });
});
