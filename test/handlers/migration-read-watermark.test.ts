import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { getConfig } from '../../lib/config';
import { getDb, mysqlPoolOptions, openSqlite } from '../../lib/db/connection';
import type { Database, MessageRow } from '../../lib/db/schema';
import { toDbTimestamp, toIsoTimestamp } from '../../lib/db/time';
import { migratorFor } from '../helpers/scratch-database';
import {
  chatList,
  conversationHistory,
  lastMessage,
  markRead,
  messageUpdates,
  type Message,
} from '../../lib/messages';

/**
 * Migration 007 carries read state over: a database built and filled at version 005 (read
 * state in each message row, set by the old mark_read), then migrated, answers exactly as
 * before for every message, and mark_read goes on from there.
 */
const config = getConfig();

const at = (ms: number) => toDbTimestamp(new Date(Date.UTC(2026, 10, 1, 8, 0, 0, ms)));
const sent = at(0);
const readOne = at(1_000);
const readTwo = at(2_000);
const readThree = at(3_000);
const [me, bob, carol] = [1, 2, 3];

function message(
  id: number,
  from: number,
  to: number,
  readAt: string | null,
): MessageRow & { user_low_id: number; user_high_id: number } {
  return {
    id,
    sender_id: from,
    receiver_id: to,
    user_low_id: Math.min(from, to),
    user_high_id: Math.max(from, to),
    content: `m${id}`,
    message_type: 'text',
    client_msg_id: `c${id}`,
    is_read: readAt === null ? 0 : 1,
    read_at: readAt,
    created_at: sent,
    recalled_at: null,
  };
}

// Read state as mark_read left it before 007, including a message read while an older one
// from the same sender was not (5 and 6: rows the old per-row update could leave).
const messages = [
  message(1, bob, me, readOne),
  message(2, me, bob, readTwo),
  message(3, bob, me, readOne),
  message(4, bob, me, null),
  message(5, carol, me, null),
  message(6, carol, me, readThree),
  message(7, bob, me, null),
  message(8, me, carol, null),
];

/** The answer the code before 007 gave for a row: its own flag and time. */
function answerBefore(row: MessageRow): Message {
  return {
    id: row.id,
    sender_id: row.sender_id,
    receiver_id: row.receiver_id,
    content: row.content,
    message_type: row.message_type,
    is_read: row.is_read === 1,
    read_at: row.read_at === null ? null : toIsoTimestamp(row.read_at),
    created_at: toIsoTimestamp(row.created_at),
    client_msg_id: row.client_msg_id,
    recalled_at: null,
  };
}
const before = (...ids: number[]) =>
  ids.map((id) => answerBefore(messages.find((row) => row.id === id) as MessageRow));

async function openAtVersion005(): Promise<Kysely<Database>> {
  const db =
    config.db.type === 'mysql'
      ? new Kysely<Database>({
          dialect: new MysqlDialect({
            pool: (await import('mysql2')).createPool(mysqlPoolOptions(config.db)),
          }),
        })
      : new Kysely<Database>({
          dialect: new SqliteDialect({ database: await openSqlite(config.db.path) }),
        });
  const migrated = await migratorFor(db).migrateTo('005-chat-management');
  expect(migrated.error).toBeUndefined();
  return db;
}

beforeAll(async () => {
  const old = await openAtVersion005();
  try {
    await old
      .insertInto('users')
      .values(
        [me, bob, carol].map((id) => ({
          id,
          username: `u${id}`,
          username_key: `u${id}`,
          email: `u${id}@example.com`,
          password_hash: 'x',
          created_at: sent,
          updated_at: sent,
        })) as never, // version 005 has no username_skeleton (006); Kysely's row type is the latest
      )
      .execute();
    await old
      .insertInto('friendships')
      .values([
        { user_low_id: me, user_high_id: bob, created_by: me, created_at: sent },
        { user_low_id: me, user_high_id: carol, created_by: me, created_at: sent },
      ])
      .execute();
    await old.insertInto('messages').values(messages).execute();
    const chat = (owner: number, peer: number, last: number, unread: number, count: number) => ({
      owner_id: owner,
      peer_id: peer,
      last_message_id: last,
      unread_count: unread,
      message_count: count,
      updated_at: sent,
    });
    await old
      .insertInto('conversations')
      .values([
        chat(me, bob, 7, 2, 5),
        chat(bob, me, 7, 0, 5),
        chat(me, carol, 8, 1, 3),
        chat(carol, me, 8, 1, 3),
      ])
      .execute();
    await old
      .insertInto('unread_totals')
      .values([
        { user_id: me, unread_count: 3 },
        { user_id: carol, unread_count: 1 },
      ])
      .execute();
  } finally {
    await old.destroy();
  }
  // The app's own connection migrates the rest (007) on first use.
  await getDb();
});

it('answers for every message exactly as before the migration', async () => {
  const db = await getDb();
  const applied = await db
    .selectFrom('kysely_migration' as never)
    .select('name' as never)
    .execute();
  expect(applied.map((row) => (row as { name: string }).name)).toContain('007-read-watermark');

  const page = { page: 1, perPage: 20 };
  expect((await conversationHistory(me, bob, page)).messages).toEqual(before(1, 2, 3, 4, 7));
  expect((await conversationHistory(bob, me, page)).messages).toEqual(before(1, 2, 3, 4, 7));
  expect((await conversationHistory(me, carol, page)).messages).toEqual(before(5, 6, 8));
  expect((await messageUpdates(me, 0, 100)).messages).toEqual(before(1, 2, 3, 4, 5, 6, 7, 8));
  expect(await lastMessage(bob, me)).toEqual(before(7)[0]);
  const list = await chatList(me, 50);
  expect(list.chats.map((chat) => [chat.last_message, chat.unread_count])).toEqual([
    [before(8)[0], 1],
    [before(7)[0], 2],
  ]);
  expect(list.total_unread).toBe(3);
});

it('reads on from the migrated state: old read times stay, counts stay exact', async () => {
  // Carol's 5 was unread below her read 6: reading everything reads 5 alone.
  expect(await markRead(me, carol)).toBe(1);
  // Bob's 1 and 3 were read already: up to 4 reads one, the rest reads 7.
  expect(await markRead(me, bob, 4)).toBe(1);
  expect(await markRead(me, bob, 4)).toBe(0);
  expect(await markRead(me, bob)).toBe(1);
  expect(await markRead(me, bob)).toBe(0);

  const history = [
    ...(await conversationHistory(me, bob, { page: 1, perPage: 20 })).messages,
    ...(await conversationHistory(me, carol, { page: 1, perPage: 20 })).messages,
  ];
  const readAt = new Map(history.map((entry) => [entry.id, entry.read_at]));
  expect(readAt.get(1)).toBe(toIsoTimestamp(readOne));
  expect(readAt.get(3)).toBe(toIsoTimestamp(readOne));
  expect(readAt.get(6)).toBe(toIsoTimestamp(readThree));
  for (const id of [4, 5, 7]) {
    expect(readAt.get(id)).toEqual(expect.stringMatching(/^\d{4}-.*Z$/));
    expect(readAt.get(id)).not.toBe(toIsoTimestamp(sent));
  }
  // My own messages are for Bob and Carol to read: 2 was, 8 is not.
  expect(readAt.get(2)).toBe(toIsoTimestamp(readTwo));
  expect(readAt.get(8)).toBeNull();
  const list = await chatList(me, 50);
  expect(list.chats.map((chat) => chat.unread_count)).toEqual([0, 0]);
  expect(list.total_unread).toBe(0);
  expect((await chatList(carol, 50)).total_unread).toBe(1);
});
