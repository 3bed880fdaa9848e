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
  await analyze();
});

it('lists friends through the primary key and friendships_high_idx', async () => {
  const explained = await explainQueries(() => listFriends(ids[200] ?? 0));
  expect(explained).toHaveLength(1);
  const friendshipReads = planRowsFor(explained, 'f');
  expect(friendshipReads.map((row) => row.key).sort()).toEqual(['PRIMARY', 'friendships_high_idx']);
  // Every table read is by key; only the union's small result is sorted (table `<union1,2>`).
  for (const row of explained[0]?.plan ?? []) {
    if (row.table?.startsWith('<union')) continue;
    expect(row.type).not.toBe('ALL');
    expect(row.key).not.toBeNull();
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
