import { CompiledQuery } from 'kysely';
import { getDb, observeQueries, type ExecutedQuery } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { friendIdsAmong, friendshipKey, listFriends, removeFriend } from '../../lib/friends';

/**
 * The friendship reads and writes must use their indexes, never scan the table:
 * EXPLAIN of the exact SQL the library runs, on a seeded MySQL database.
 */
interface PlanRow {
  table: string;
  type: string;
  key: string | null;
}

const USERS = 400;

async function seed(): Promise<void> {
  const db = await getDb();
  const now = toDbTimestamp();
  await db
    .insertInto('users')
    .values(
      Array.from({ length: USERS }, (_, index) => ({
        username: `user${index}`,
        username_key: `user${index}`,
        email: `user${index}@example.com`,
        password_hash: 'not-a-real-hash',
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  const ids = (await db.selectFrom('users').select('id').orderBy('id').execute()).map(
    (row) => row.id,
  );
  const pairs = new Map<string, { user_low_id: number; user_high_id: number }>();
  for (let index = 0; index < ids.length; index += 1) {
    for (const step of [1, 7, 31]) {
      const key = friendshipKey(ids[index] ?? 0, ids[(index + step) % ids.length] ?? 0);
      pairs.set(`${key.user_low_id}:${key.user_high_id}`, key);
    }
  }
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
  await db.executeQuery(CompiledQuery.raw('ANALYZE TABLE users, friendships'));
}

async function explain(query: ExecutedQuery): Promise<PlanRow[]> {
  const db = await getDb();
  const result = await db.executeQuery<PlanRow>(
    CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]),
  );
  return result.rows;
}

async function capture(action: () => Promise<unknown>): Promise<ExecutedQuery[]> {
  const queries: ExecutedQuery[] = [];
  const stop = observeQueries((query) => queries.push(query));
  try {
    await action();
  } finally {
    stop();
  }
  return queries;
}

beforeAll(seed);

it('lists friends through the primary key and friendships_high_idx', async () => {
  const db = await getDb();
  const { id } = await db
    .selectFrom('users')
    .select('id')
    .where('username_key', '=', 'user200')
    .executeTakeFirstOrThrow();
  const queries = await capture(() => listFriends(id));
  expect(queries).toHaveLength(1);
  const plan = await explain(queries[0] as ExecutedQuery);
  const friendshipReads = plan.filter((row) => row.table === 'f');
  expect(friendshipReads).toHaveLength(2);
  expect(friendshipReads.map((row) => row.key).sort()).toEqual(['PRIMARY', 'friendships_high_idx']);
  // Every table read is by key; only the union's small result is sorted (table `<union1,2>`).
  for (const row of plan.filter((planRow) => !planRow.table?.startsWith('<union'))) {
    expect(row.type).not.toBe('ALL');
    expect(row.key).not.toBeNull();
  }
});

it('checks friendship of many users by key', async () => {
  const db = await getDb();
  const ids = (await db.selectFrom('users').select('id').orderBy('id').limit(50).execute()).map(
    (row) => row.id,
  );
  const me = ids[25] ?? 0;
  const queries = await capture(() => friendIdsAmong(db, me, ids));
  const plan = await explain(queries[0] as ExecutedQuery);
  for (const row of plan) {
    expect(row.type).not.toBe('ALL');
    expect(['PRIMARY', 'friendships_high_idx']).toContain(row.key);
  }
});

it('removes a friendship by key', async () => {
  const db = await getDb();
  const { user_low_id, user_high_id } = await db
    .selectFrom('friendships')
    .select(['user_low_id', 'user_high_id'])
    .limit(1)
    .executeTakeFirstOrThrow();
  let deleteQuery: ExecutedQuery | undefined;
  const stop = observeQueries((query) => {
    if (query.sql.startsWith('delete')) deleteQuery = query;
  });
  await removeFriend(user_low_id, user_high_id).finally(stop);
  // Explain the same statement again (now deleting nothing) to read its plan.
  const plan = await explain(deleteQuery as ExecutedQuery);
  // Both keys hold both columns; either is an exact one-row lookup.
  expect(['PRIMARY', 'friendships_high_idx']).toContain(plan[0]?.key);
  expect(plan[0]?.type).toBe('range');
});
