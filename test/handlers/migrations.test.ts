import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../lib/db/schema';
import { toDbTimestamp } from '../../lib/db/time';
import { migratorFor, useScratchDatabase } from '../helpers/scratch-database';

/**
 * Migrations carry existing data over: a database migrated to an older version, filled,
 * then migrated to the latest, answers as if it had been built by the latest.
 */
const scratch = useScratchDatabase('migrations');
let db: Kysely<Database>;
beforeAll(() => {
  db = scratch();
});

it('005 starts every user’s unread total from their chats, nothing muted or hidden', async () => {
  const to004 = await migratorFor(db).migrateTo('004-connections');
  expect(to004.error).toBeUndefined();
  const now = toDbTimestamp();
  const users = [1, 2, 3].map((id) => ({
    id,
    username: `m${id}`,
    username_key: `m${id}`,
    email: `m${id}@example.com`,
    password_hash: 'x',
    created_at: now,
    updated_at: now,
  }));
  // Version 004 has no username_skeleton (006): Kysely's row type is the latest one.
  await db
    .insertInto('users')
    .values(users as never)
    .execute();
  // Version 004 has no recalled_at: insert only the columns it knows.
  await sql`insert into messages (id, sender_id, receiver_id, user_low_id, user_high_id, content,
    message_type, is_read, created_at) values
    (1, 2, 1, 1, 2, 'a', 'text', 0, ${now}), (2, 3, 1, 1, 3, 'b', 'text', 0, ${now}),
    (3, 1, 2, 1, 2, 'c', 'text', 0, ${now})`.execute(db);
  await sql`insert into conversations (owner_id, peer_id, last_message_id, unread_count,
    message_count, updated_at) values
    (1, 2, 3, 4, 5, ${now}), (1, 3, 2, 3, 3, ${now}), (2, 1, 3, 1, 5, ${now}),
    (3, 1, 2, 0, 3, ${now})`.execute(db);

  const latest = await migratorFor(db).migrateToLatest();
  expect(latest.error).toBeUndefined();
  expect(latest.results?.map((result) => result.migrationName)).toContain('005-chat-management');

  const totals = await db.selectFrom('unread_totals').selectAll().orderBy('user_id').execute();
  expect(totals).toEqual([
    { user_id: 1, unread_count: 7 },
    { user_id: 2, unread_count: 1 },
    { user_id: 3, unread_count: 0 },
  ]);
  const chats = await db
    .selectFrom('conversations')
    .select(['pinned', 'muted', 'hidden'])
    .execute();
  expect(chats.every((chat) => !chat.pinned && !chat.muted && !chat.hidden)).toBe(true);
  const messages = await db.selectFrom('messages').select(['content', 'recalled_at']).execute();
  expect(messages.map((message) => message.recalled_at)).toEqual([null, null, null]);
  expect(messages.map((message) => message.content).sort()).toEqual(['a', 'b', 'c']);
});
