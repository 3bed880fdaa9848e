import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../lib/db/schema';
import { toDbTimestamp } from '../../lib/db/time';
import { skeletonGrams } from '../../lib/usernames';
import { migratorFor, useScratchDatabase } from '../helpers/scratch-database';

/**
 * Migration 006 keys existing users by skeleton and fills the search index; look-alike
 * names already stored side by side must not stop it.
 */
const scratch = useScratchDatabase('migration_006');
let db: Kysely<Database>;
beforeAll(() => {
  db = scratch();
});

it('006 gives every user a skeleton and grams; older look-alikes keep their accounts', async () => {
  const to005 = await migratorFor(db).migrateTo('005-chat-management');
  expect(to005.error).toBeUndefined();
  const now = toDbTimestamp();
  // Before 006 names were stored as typed and keyed by NFC case folding only.
  const names: Array<[number, string, string]> = [
    [1, 'Alice', 'alice'],
    [2, 'ａｌｉｃｅ', 'ａｌｉｃｅ'],
    [3, 'аlice', 'аlice'],
    [4, '张三', '张三'],
  ];
  for (const [id, username, key] of names) {
    await sql`insert into users (id, username, username_key, email, password_hash, token_version,
      created_at, updated_at) values (${id}, ${username}, ${key}, ${`u${id}@example.com`}, 'x', 0,
      ${now}, ${now})`.execute(db);
  }

  const latest = await migratorFor(db).migrateToLatest();
  expect(latest.error).toBeUndefined();
  expect(latest.results?.map((result) => result.migrationName)).toContain('006-username-search');

  const users = await db
    .selectFrom('users')
    .select(['id', 'username', 'username_key', 'username_skeleton', 'skeleton_tiebreak'])
    .orderBy('id')
    .execute();
  expect(users).toEqual([
    {
      id: 1,
      username: 'Alice',
      username_key: 'alice',
      username_skeleton: 'alice',
      skeleton_tiebreak: 0,
    },
    {
      id: 2,
      username: 'ａｌｉｃｅ',
      username_key: 'ａｌｉｃｅ',
      username_skeleton: 'alice',
      skeleton_tiebreak: 2,
    },
    {
      id: 3,
      username: 'аlice',
      username_key: 'аlice',
      username_skeleton: 'alice',
      skeleton_tiebreak: 3,
    },
    {
      id: 4,
      username: '张三',
      username_key: '张三',
      username_skeleton: '张三',
      skeleton_tiebreak: 0,
    },
  ]);

  const grams = await db
    .selectFrom('username_grams')
    .select(['user_id', 'gram', 'username_key'])
    .orderBy('user_id')
    .orderBy('gram')
    .execute();
  const expected = users.flatMap((user) =>
    skeletonGrams(user.username_skeleton)
      .sort()
      .map((gram) => ({ user_id: user.id, gram, username_key: user.username_key })),
  );
  expect(grams).toEqual(expected);

  // The oldest account owns the skeleton: a new look-alike cannot be stored.
  const attempt = await sql`insert into users (username, username_key, username_skeleton, email,
    password_hash, created_at, updated_at) values ('ALICE', 'alice2', 'alice', 'n@example.com',
    'x', ${now}, ${now})`
    .execute(db)
    .then(
      () => 'stored',
      (error: unknown) => String(error),
    );
  expect(attempt).toMatch(/unique|duplicate/i);
});
