import type { Kysely } from 'kysely';
import type { Database } from '../../lib/db/schema';
import { toDbTimestamp } from '../../lib/db/time';
import { migratorFor, useScratchDatabase } from '../helpers/scratch-database';

/**
 * Migration 008 fills the friend list from the friendships that exist: an entry for each
 * side, keyed by the friend's username key, and each user's friend count.
 */
const scratch = useScratchDatabase('m008');
let db: Kysely<Database>;
beforeAll(() => {
  db = scratch();
});

it('008 gives every existing friendship an entry on each side and counts them', async () => {
  const migrator = migratorFor(db);
  expect((await migrator.migrateTo('005-chat-management')).error).toBeUndefined();
  const now = toDbTimestamp();
  const early = '2026-01-02 03:04:05.678';
  await db
    .insertInto('users')
    .values(
      ['Ann', 'bob', 'Émile', 'zoë'].map((username, index) => ({
        id: index + 1,
        username,
        username_key: username.toLowerCase(),
        email: `u${index + 1}@example.com`,
        password_hash: 'x',
        created_at: now,
        updated_at: now,
      })) as never, // version 005 has no username_skeleton (006); Kysely's row type is the latest
    )
    .execute();
  await db
    .insertInto('friendships')
    .values([
      { user_low_id: 1, user_high_id: 2, created_by: 2, created_at: early },
      { user_low_id: 1, user_high_id: 3, created_by: 1, created_at: now },
      { user_low_id: 2, user_high_id: 3, created_by: 3, created_at: now },
    ])
    .execute();

  const latest = await migrator.migrateToLatest();
  expect(latest.error).toBeUndefined();
  expect(latest.results?.map((result) => result.migrationName)).toContain('008-friend-list');

  const entries = await db
    .selectFrom('friend_entries')
    .selectAll()
    .orderBy('owner_id')
    .orderBy('friend_key')
    .execute();
  expect(entries).toEqual([
    { owner_id: 1, friend_key: 'bob', friend_id: 2, since: early },
    { owner_id: 1, friend_key: 'émile', friend_id: 3, since: now },
    { owner_id: 2, friend_key: 'ann', friend_id: 1, since: early },
    { owner_id: 2, friend_key: 'émile', friend_id: 3, since: now },
    { owner_id: 3, friend_key: 'ann', friend_id: 1, since: now },
    { owner_id: 3, friend_key: 'bob', friend_id: 2, since: now },
  ]);
  const counts = await db
    .selectFrom('users')
    .select(['id', 'friend_count'])
    .orderBy('id')
    .execute();
  expect(counts).toEqual([
    { id: 1, friend_count: 2 },
    { id: 2, friend_count: 2 },
    { id: 3, friend_count: 2 },
    { id: 4, friend_count: 0 },
  ]);
});
