import { handler as block } from '../../functions/friend/block';
import { handler as list } from '../../functions/friend/list';
import { handler as remove } from '../../functions/friend/remove';
import { CompiledQuery } from 'kysely';
import { getDb } from '../../lib/db/connection';
import { encodeFriendCursor } from '../../lib/friends';
import { befriend } from '../helpers/chat';
import { fullListOrder, seedFriends, storedFriendCounts } from '../helpers/friends';
import { invoke } from '../helpers/invoke';
import { capturedQueries } from '../helpers/query-plans';
import { letterTag, registerUser, type TestUser } from '../helpers/users';

interface Page {
  friends: { id: number; username: string; created_at: string; since: string; blocked: boolean }[];
  count: number;
  next_cursor: string | null;
}

async function page(user: TestUser, query: Record<string, string> = {}): Promise<Page> {
  const response = await invoke(list, { token: user.token, query });
  expect(response.status).toBe(200);
  return response.body.data;
}

/** Every page from the first, following next_cursor; checks each page on the way. */
async function walk(user: TestUser, limit?: number): Promise<{ ids: number[]; pages: number }> {
  const ids: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let total: number | undefined;
  do {
    const query: Record<string, string> = {};
    if (limit !== undefined) query.limit = String(limit);
    if (cursor !== null) query.cursor = cursor;
    const data: Page = await page(user, query);
    pages += 1;
    total ??= data.count;
    expect(data.count).toBe(total);
    expect(data.friends.length).toBeLessThanOrEqual(limit ?? 1000);
    if (data.next_cursor !== null) expect(data.friends).toHaveLength(limit ?? 1000);
    ids.push(...data.friends.map((friend) => friend.id));
    cursor = data.next_cursor;
  } while (cursor !== null && pages < 5000);
  expect(ids).toHaveLength(total ?? 0);
  return { ids, pages };
}

describe('GET /api/friend/list in pages', () => {
  let me: TestUser;
  let expected: number[];
  const t = letterTag(6);

  beforeAll(async () => {
    me = await registerUser({ username: `me_${t}` });
    // Case, accents, Cyrillic, CJK, digits and punctuation, added from both sides.
    const names = [
      `alice_${t}`,
      `Bob_${t}`,
      `carol_${t}`,
      `Dave_${t}`,
      `张三_${t}`,
      `Émile_${t}`,
      `émilie_${t}`,
      // A Cyrillic name may not mix in Latin letters (UTS #39): its own tag in digits.
      `Жора_${Date.now() % 1e9}`,
      `_under_${t}`,
      `9lives_${t}`,
      `Zed.${t}`,
      `zed-${t}`,
      `ÅSA_${t}`,
    ];
    for (const [index, username] of names.entries()) {
      const other = await registerUser({ username });
      if (index % 2 === 0) await befriend(me, other);
      else await befriend(other, me);
    }
    // And more, straight in the tables, as add leaves them.
    await seedFriends(me.id, 40, `p${t}`);
    expected = await fullListOrder(me.id);
    expect(expected).toHaveLength(53);
  }, 30_000);

  it.each([1, 2, 7, 52, 53, 54, 1000])(
    'at limit %i walks every friend once, in the order of the whole list',
    async (limit) => {
      const { ids, pages } = await walk(me, limit);
      expect(ids).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(53 / limit)));
    },
  );

  it('gives everything on one page by default, next_cursor null', async () => {
    const data = await page(me);
    expect(data.friends.map((friend) => friend.id)).toEqual(expected);
    expect(data.count).toBe(53);
    expect(data.next_cursor).toBeNull();
  });

  it('orders by the case-folded username in code point order, then id', async () => {
    const data = await page(me);
    const keys = data.friends.map((friend) => friend.username.toLowerCase());
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(keys).toEqual(sorted);
    for (const friend of data.friends) {
      expect(Object.keys(friend).sort()).toEqual([
        'blocked',
        'created_at',
        'id',
        'since',
        'username',
      ]);
    }
  });

  it('keeps its place when the entry under the cursor is removed or a friend is added', async () => {
    const owner = await registerUser();
    await seedFriends(owner.id, 10, `k${letterTag(6)}`);
    const before = await fullListOrder(owner.id);
    const first = await page(owner, { limit: '4' });
    const gone = before[3] ?? 0;
    expect(first.friends.map((friend) => friend.id)).toEqual(before.slice(0, 4));
    expect((await invoke(remove, { token: owner.token, body: { friend_id: gone } })).status).toBe(
      200,
    );
    const second = await page(owner, { limit: '4', cursor: first.next_cursor ?? '' });
    expect(second.friends.map((friend) => friend.id)).toEqual(before.slice(4, 8));
    expect(second.count).toBe(9);
  });

  it('marks friends the caller blocks', async () => {
    const owner = await registerUser({ username: `a_${letterTag(8)}` });
    const friend = await registerUser({ username: `b_${letterTag(8)}` });
    await befriend(owner, friend);
    await invoke(block, { token: owner.token, body: { user_id: friend.id } });
    const data = await page(owner, { limit: '1' });
    expect(data.friends).toEqual([expect.objectContaining({ id: friend.id, blocked: true })]);
    expect((await page(friend)).friends).toEqual([
      expect.objectContaining({ id: owner.id, blocked: false }),
    ]);
  });

  it('takes a cursor from another user’s list as a position only', async () => {
    const other = await registerUser();
    await seedFriends(other.id, 6, `o${t}`);
    const theirs = await page(other, { limit: '3' });
    expect(theirs.next_cursor).not.toBeNull();
    const mine = await page(me, { cursor: theirs.next_cursor ?? '' });
    // `o…` names sort among mine: mine after that position, none of theirs.
    const theirIds = new Set((await fullListOrder(other.id)).filter((id) => id !== me.id));
    expect(mine.friends.some((friend) => theirIds.has(friend.id))).toBe(false);
    const lastOfTheirs = theirs.friends.at(-1)?.username.toLowerCase() ?? '';
    const all = (await page(me)).friends;
    expect(mine.friends).toEqual(
      all.filter((friend) => friend.username.toLowerCase() > lastOfTheirs),
    );
    expect(mine.friends.length).toBeGreaterThan(0);
    expect(mine.friends.length).toBeLessThan(53);
  });

  (process.env.DB_TYPE === 'mysql' ? it.skip : it)(
    'seeks a later page to its position in the primary key (SQLite; MySQL: test/mysql)',
    async () => {
      const first = await page(me, { limit: '5' });
      const queries = await capturedQueries(() =>
        invoke(list, { token: me.token, query: { limit: '5', cursor: first.next_cursor ?? '' } }),
      );
      const pageQuery = queries.find((query) => query.sql.includes('friend_entries'));
      const db = await getDb();
      const plan = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${pageQuery?.sql}`, [
          ...(pageQuery?.parameters ?? []),
        ]),
      );
      expect(plan.rows[0]?.detail).toMatch(
        /^SEARCH e USING INDEX .*\(owner_id=\? AND friend_key>\?\)/,
      );
      expect(plan.rows.map((row) => row.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
    },
  );

  it('answers a cursor past the end with an empty last page', async () => {
    const data = await page(me, { cursor: encodeFriendCursor({ key: '\u{10ffff}', id: 1 }) });
    expect(data).toEqual({ friends: [], count: 53, next_cursor: null });
  });

  it.each(['0', '1001', '-1', '1.5', 'abc', '', ' 5', '1e3', '99999999999'])(
    'answers 400 VALIDATION_ERROR for limit %j',
    async (limit) => {
      const response = await invoke(list, { token: me.token, query: { limit } });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
      expect(response.body.details).toEqual([
        { field: 'limit', message: '须为 1 到 1000 之间的整数' },
      ]);
    },
  );

  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  it.each([
    ['garbage', 'not a cursor!'],
    ['empty', ''],
    ['not base64 JSON', b64('hello')],
    ['a JSON object', b64('{"key":"a","id":1}')],
    ['one element', b64('["a"]')],
    ['three elements', b64('["a",1,2]')],
    ['a numeric key', b64('[1,2]')],
    ['an empty key', b64('["",1]')],
    ['id 0', b64('["a",0]')],
    ['a fractional id', b64('["a",1.5]')],
    ['an id as text', b64('["a","1"]')],
    ['a huge id', b64('["a",1e300]')],
    ['a key with a space', b64('["a ",1]')],
    ['a key with a control character', b64('["a\\u0000",1]')],
    ['a lone surrogate', b64('["\\ud800",1]')],
    ['a key too long', b64(JSON.stringify(['a'.repeat(129), 1]))],
    ['padded base64', `${b64('["a",1]')}==`],
    ['standard base64 (a +)', Buffer.from('["~~~",1]').toString('base64')],
    ['JSON with spaces', b64('[ "a", 1 ]')],
    ['far too long', 'A'.repeat(5000)],
  ])('answers 400 VALIDATION_ERROR for a cursor that is %s', async (_, cursor) => {
    const response = await invoke(list, { token: me.token, query: { cursor } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.details).toEqual([{ field: 'cursor', message: '不是本接口返回的游标' }]);
  });

  it('says what is wrong with a cursor in English too', async () => {
    const response = await invoke(list, {
      token: me.token,
      query: { cursor: 'x' },
      headers: { 'accept-language': 'en' },
    });
    expect(response.body.details).toEqual([
      { field: 'cursor', message: 'is not a cursor this endpoint returned' },
    ]);
  });
});

describe('the limit edges', () => {
  it('gives 1,000 on the first page and the rest after, by default and at limit=1000', async () => {
    const owner = await registerUser();
    await seedFriends(owner.id, 1001, `e${letterTag(6)}`);
    const expected = await fullListOrder(owner.id);
    for (const query of [{}, { limit: '1000' }] as Record<string, string>[]) {
      const first = await page(owner, query);
      expect(first.friends).toHaveLength(1000);
      expect(first.count).toBe(1001);
      expect(first.next_cursor).not.toBeNull();
      const second = await page(owner, { ...query, cursor: first.next_cursor ?? '' });
      expect([...first.friends, ...second.friends].map((friend) => friend.id)).toEqual(expected);
      expect(second.next_cursor).toBeNull();
    }
    const one = await page(owner, { limit: '1' });
    expect(one.friends.map((friend) => friend.id)).toEqual(expected.slice(0, 1));
  }, 30_000);
});

describe('count', () => {
  it('is the total on every page, from both sides, after adds and removes', async () => {
    const owner = await registerUser();
    const others = [await registerUser(), await registerUser(), await registerUser()];
    for (const other of others) await befriend(other, owner);
    expect((await page(owner, { limit: '1' })).count).toBe(3);
    expect((await page(others[0] as TestUser)).count).toBe(1);
    await invoke(remove, { token: owner.token, body: { friend_id: others[1]?.id } });
    expect((await page(owner, { limit: '1' })).count).toBe(2);
    expect((await page(others[1] as TestUser)).count).toBe(0);
    // A refused remove changes nothing.
    await invoke(remove, { token: owner.token, body: { friend_id: others[1]?.id } });
    expect(await storedFriendCounts(owner.id)).toEqual({ count: 2, entries: 2 });
    expect(await storedFriendCounts(others[1]?.id ?? 0)).toEqual({ count: 0, entries: 0 });
  });
});
