import { sql } from 'kysely';
import { getDb } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { friendIdsAmong, friendshipKey, listFriends, removeFriend } from '../../lib/friends';
import { analyze, explainQueries, planRowsFor, seedUsers } from '../helpers/query-plans';

/**
 * The friendship reads and writes must use their indexes, never scan the table:
 * EXPLAIN of the exact SQL the library runs, on a seeded MySQL database.
 */
let ids: number[];

beforeAll(async () => {
  ids = await seedUsers('user', 400);
  const pairs = new Map<string, { user_low_id: number; user_high_id: number }>();
  for (let index = 0; index < ids.length; index += 1) {
    for (const step of [1, 7, 31]) {
      const key = friendshipKey(ids[index] ?? 0, ids[(index + step) % ids.length] ?? 0);
      pairs.set(`${key.user_low_id}:${key.user_high_id}`, key);
    }
  }
  const db = await getDb();
  const now = toDbTimestamp();
  await db
    .insertInto('friendships')
    .values(
      [...pairs.values()].map((pair) => ({
        ...pair,
        created_by: pair.user_low_id,
        created_at: now,
      })),
    )
    .execute();
  // The friend list's entries and counts, as the add transaction writes them.
  const keys = new Map(
    (await db.selectFrom('users').select(['id', 'username_key']).execute()).map((row) => [
      row.id,
      row.username_key,
    ]),
  );
  await db
    .insertInto('friend_entries')
    .values(
      [...pairs.values()].flatMap(({ user_low_id: low, user_high_id: high }) => [
        { owner_id: low, friend_key: keys.get(high) ?? '', friend_id: high, since: now },
        { owner_id: high, friend_key: keys.get(low) ?? '', friend_id: low, since: now },
      ]),
    )
    .execute();
  await sql`update users set friend_count =
    (select count(*) from friend_entries e where e.owner_id = users.id)`.execute(db);
  await analyze();
  await sql`analyze table friend_entries, blocks`.execute(db);
});

it.each([
  // The first page reads from the owner's first entry; a later page seeks to its position.
  ['the first page', undefined, ['ref', 'range']],
  ['a later page', { key: 'user3', id: 1 }, ['range']],
])('reads %s of the friend list in primary-key order, without a sort', async (_, after, types) => {
  const explained = await explainQueries(() =>
    listFriends({ id: ids[200] ?? 0, friend_count: 6 }, { limit: 2, after }),
  );
  const page = explained.find((entry) => entry.sql.includes('friend_entries'));
  const plan = page?.plan ?? [];
  // One range read of the owner's entries in list order, then a key lookup per row.
  expect(plan[0]).toMatchObject({ table: 'e', key: 'PRIMARY' });
  expect(types).toContain(plan[0]?.type);
  expect(planRowsFor(explained, 'u')).toEqual([
    expect.objectContaining({ type: 'eq_ref', key: 'PRIMARY' }),
  ]);
  for (const row of plan) {
    expect(row.type).not.toBe('ALL');
    expect(row.key).not.toBeNull();
    expect(row.Extra ?? '').not.toMatch(/filesort|temporary/i);
  }
});

it('checks friendship of many users by key', async () => {
  const db = await getDb();
  const explained = await explainQueries(() => friendIdsAmong(db, ids[25] ?? 0, ids.slice(0, 50)));
  const reads = planRowsFor(explained, 'friendships');
  expect(reads.length).toBeGreaterThan(0);
  for (const row of reads) {
    expect(row.type).not.toBe('ALL');
    expect(['PRIMARY', 'friendships_high_idx']).toContain(row.key);
  }
});

it('removes a friendship by key', async () => {
  const pair = friendshipKey(ids[10] ?? 0, ids[11] ?? 0);
  const explained = await explainQueries(() => removeFriend(pair.user_low_id, pair.user_high_id));
  // Explained after the delete ran (so it deletes nothing), which does not change the plan.
  const plan = explained.find((entry) => entry.sql.startsWith('delete'))?.plan ?? [];
  // Both keys hold both columns; either is an exact one-row lookup.
  expect(['PRIMARY', 'friendships_high_idx']).toContain(plan[0]?.key);
  expect(plan[0]?.type).toBe('range');
});

it('ends a friendship’s list entries and counts by primary key', async () => {
  const pair = friendshipKey(ids[20] ?? 0, ids[21] ?? 0);
  const explained = await explainQueries(() => removeFriend(pair.user_low_id, pair.user_high_id));
  const writes = explained.filter((entry) => /^(delete|update)/.test(entry.sql));
  expect(writes.map((entry) => entry.sql.split(' ').slice(0, 3).join(' '))).toEqual([
    'delete from `friendships`',
    'delete from `friend_entries`',
    'delete from `friend_entries`',
    'update `users` set',
  ]);
  for (const entry of explained) {
    for (const row of entry.plan) {
      if (row.table === null) continue;
      expect(row.type).not.toBe('ALL');
      // The second index of each table holds the pair too: either is a one-row lookup.
      const keys = {
        friendships: ['PRIMARY', 'friendships_high_idx'],
        friend_entries: ['PRIMARY', 'friend_entries_friend_idx'],
      }[row.table] ?? ['PRIMARY'];
      expect(keys).toContain(row.key);
    }
  }
});
