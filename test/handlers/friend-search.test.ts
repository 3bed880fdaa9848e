import { handler as add } from '../../functions/friend/add';
import { handler as search } from '../../functions/friend/search';
import { getDb } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { usernameGramRows, usernameSkeleton } from '../../lib/usernames';
import { invoke } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
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

  it('matches only usernames that start with a one-character keyword', async () => {
    // Names of a letter no other test name starts with: 'q' words from this tag only.
    const t = tag();
    const starts = await registerUser({ username: `ｑ${t}` });
    await registerUser({ username: `x${t}q` });
    const names = await searchNames(me, { keyword: 'Q', limit: '50' });
    expect(names).toContain(starts.username.normalize('NFKC'));
    expect(names.every((name) => name.toLowerCase().startsWith('q'))).toBe(true);
    expect(names).not.toContain(`x${t}q`);
  });

  it('finds names through look-alike and fullwidth keywords, ordered as usual', async () => {
    const t = tag();
    const alice = await registerUser({ username: `alice${t}` });
    const other = await registerUser({ username: `xalice${t}` });
    // "аlice" with a Cyrillic а, and fullwidth letters: the same skeleton as "alice".
    for (const keyword of [`аlice${t}`, `ａｌｉｃｅ${t}`, `ALICE${t}`]) {
      expect(await searchNames(me, { keyword })).toEqual([alice.username, other.username]);
    }
  });

  it('verifies containment: having every gram of the keyword is not enough', async () => {
    const t = tag();
    // Both names have the four-character grams of "qrsqr" (qrsq, rsqr); only one contains it.
    await registerUser({ username: `${t}qrsq_rsqr` });
    const match = await registerUser({ username: `${t}qrsqr` });
    expect(await searchNames(me, { keyword: `${t}qrsqr` })).toEqual([match.username]);
    const found = await searchNames(me, { keyword: 'qrsqr', limit: '50' });
    expect(found).toContain(match.username);
    expect(found).not.toContain(`${t}qrsq_rsqr`);
  });

  it('answers a long keyword from a few of its grams, checking the whole keyword', async () => {
    const t = tag();
    const name = `${t}qrstuvwxyzqrstuvwxy`;
    const user = await registerUser({ username: name });
    expect(await searchNames(me, { keyword: name.slice(2) })).toEqual([user.username]);
    expect(await searchNames(me, { keyword: `${name.slice(2, -1)}z` })).toEqual([]);
    const long = Array.from({ length: 64 }, (_, index) => String.fromCharCode(0x4e00 + index * 7));
    expect(await searchNames(me, { keyword: long.join('') })).toEqual([]);
  });

  it('pages prefix matches before the rest when the prefix group alone fills the limit', async () => {
    const t = tag();
    for (const username of [`${t}c`, `${t}b`, `${t}a`, `a${t}`, `b${t}`]) {
      await registerUser({ username });
    }
    expect(await searchNames(me, { keyword: t, limit: '2' })).toEqual([`${t}a`, `${t}b`]);
    expect(await searchNames(me, { keyword: t, limit: '4' })).toEqual([
      `${t}a`,
      `${t}b`,
      `${t}c`,
      `a${t}`,
    ]);
  });

  it('orders by username, not by skeleton, whichever way a group is read', async () => {
    // Skeletons map 1 to l and 0 to o, which sort after 9; usernames sort digits first.
    const few = tag();
    for (const username of [`${few}9`, `${few}10`]) await registerUser({ username });
    expect(await searchNames(me, { keyword: few })).toEqual([`${few}10`, `${few}9`]);

    // Past 200 prefix matches the page is read from the gram index instead of a range.
    const many = tag();
    const db = await getDb();
    const now = toDbTimestamp();
    const names = Array.from({ length: 250 }, (_, index) => `${many}${index + 2}`);
    for (const username of names) {
      const row = {
        username,
        username_key: username,
        username_skeleton: usernameSkeleton(username),
        email: `${username}@example.com`,
        password_hash: 'not-a-hash',
        created_at: now,
        updated_at: now,
      };
      const { insertId } = await db.insertInto('users').values(row).executeTakeFirstOrThrow();
      await db
        .insertInto('username_grams')
        .values(usernameGramRows({ ...row, id: Number(insertId) }))
        .execute();
    }
    const expected = [...names].sort().slice(0, 5);
    expect(expected[0]).toBe(`${many}10`);
    expect(await searchNames(me, { keyword: many, limit: '5' })).toEqual(expected);
  });

  it('keeps the index in step with registrations: every user has the grams of their skeleton', async () => {
    const t = tag();
    const user = await registerUser({ username: `张三${t}` });
    const db = await getDb();
    const grams = await db
      .selectFrom('username_grams')
      .select(['gram', 'username_key'])
      .where('user_id', '=', user.id)
      .orderBy('gram')
      .execute();
    const key = `张三${t}`;
    // Grams are of the skeleton: the tag's letters may have look-alikes (m is "rn").
    const points = [...usernameSkeleton(key)];
    const expected = new Set<string>();
    // prefixes of one to four characters, and every substring of two to four
    for (const length of [1, 2, 3, 4]) {
      expected.add(`\u0001${points.slice(0, length).join('')}`);
      for (let start = 0; length > 1 && start + length <= points.length; start += 1) {
        expected.add(points.slice(start, start + length).join(''));
      }
    }
    expect(grams.map((row) => row.gram)).toEqual([...expected].sort());
    expect(new Set(grams.map((row) => row.username_key))).toEqual(new Set([key]));
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

describe('GET /api/friend/search email lookups', () => {
  const container = loadContainer(
    { RATE_LIMITS: 'on', RATE_LIMIT_SEARCH_EMAIL_PER_USER: '2/3600' },
    { search: '../../functions/friend/search' },
  );
  afterAll(() => container.close());

  it('are limited per user; username searches are not counted', async () => {
    const [caller, other, target] = [
      await registerUser(),
      await registerUser(),
      await registerUser(),
    ];
    const { search: limited } = container.handlers;
    for (let index = 0; index < 5; index += 1) {
      const byName = await invoke(limited, { token: caller.token, query: { keyword: tag() } });
      expect(byName.status).toBe(200);
    }
    for (let index = 0; index < 2; index += 1) {
      const byEmail = await invoke(limited, {
        token: caller.token,
        query: { keyword: target.email },
      });
      expect(byEmail.body.data.users).toEqual([
        { id: target.id, username: target.username, is_friend: false },
      ]);
    }
    const over = await invoke(limited, {
      token: caller.token,
      query: { keyword: 'x@example.com' },
    });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('RATE_LIMITED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Only lookups by email are limited, and only the caller's.
    expect((await invoke(limited, { token: caller.token, query: { keyword: 'ab' } })).status).toBe(
      200,
    );
    expect(
      (await invoke(limited, { token: other.token, query: { keyword: target.email } })).status,
    ).toBe(200);
  });
});
