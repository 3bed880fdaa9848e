import { existsSync, rmSync } from 'node:fs';
import { sql, type Insertable, type Kysely } from 'kysely';
import { hashPassword } from '../lib/auth/password';
import { getConfig } from '../lib/config';
import { getDb } from '../lib/db/connection';
import { isMysql } from '../lib/db/dialect';
import type { Database } from '../lib/db/schema';
import { toDbTimestamp } from '../lib/db/time';
import { usernameGramRows, usernameKey, usernameSkeleton } from '../lib/usernames';
import { createDatabase, dropDatabase } from '../test/helpers/mysql-admin';
import { contentOf, conversationsOf, usernameOf, type Dataset } from './dataset';

/** Every seeded user's password; they share one bcrypt hash at the configured cost. */
export const benchPassword = 'bench-password-1';

const DAY_MS = 24 * 3600 * 1000;
/** Messages span the 90 days before the run. */
const HISTORY_MS = 90 * DAY_MS;

/** An empty database (the bench's own MySQL database or SQLite file), migrated on first use. */
export async function resetDatabase(): Promise<void> {
  const { db } = getConfig();
  if (db.type === 'mysql') {
    await dropDatabase(db.database);
    await createDatabase(db.database);
  } else {
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(db.path + suffix)) rmSync(db.path + suffix);
    }
  }
}

/**
 * Runs `work` on one connection with bulk-load settings: one transaction per call on
 * SQLite; on MySQL, key checks off (the generator already guarantees them).
 */
async function bulkLoad(work: (db: Kysely<Database>) => Promise<void>): Promise<void> {
  const db = await getDb();
  await db.connection().execute(async (connection) => {
    if (isMysql(connection)) {
      await sql`set foreign_key_checks = 0, unique_checks = 0`.execute(connection);
      try {
        await work(connection);
      } finally {
        await sql`set foreign_key_checks = 1, unique_checks = 1`.execute(connection);
      }
      return;
    }
    await sql`begin`.execute(connection);
    await work(connection);
    await sql`commit`.execute(connection);
  });
}

/** Inserts rows `[from, to)` of a table in multi-row statements. */
async function insertRange<T extends keyof Database & string>(
  db: Kysely<Database>,
  table: T,
  range: { from: number; to: number },
  rowAt: (index: number) => Insertable<Database[T]>,
): Promise<void> {
  // SQLite allows 32,766 parameters a statement; MySQL is bound by the packet size.
  const batch = isMysql(db) ? 4_000 : 2_500;
  for (let start = range.from; start < range.to; start += batch) {
    const rows = [];
    for (let index = start; index < Math.min(range.to, start + batch); index += 1) {
      rows.push(rowAt(index));
    }
    // Generic over the table: Kysely cannot narrow the row type here.
    await db
      .insertInto(table)
      .values(rows as never)
      .execute();
  }
}

function messageTime(data: Dataset, index: number, now: number): string {
  return toDbTimestamp(new Date(now - HISTORY_MS + (index * HISTORY_MS) / data.sender.length));
}

async function insertMessages(db: Kysely<Database>, data: Dataset, from: number, to: number) {
  const now = Date.now();
  await insertRange(db, 'messages', { from, to }, (index) => {
    const senderId = data.sender[index] ?? 0;
    const receiverId = data.receiver[index] ?? 0;
    const createdAt = messageTime(data, index, now);
    const read = data.unread[index] !== 1;
    return {
      id: index + 1,
      sender_id: senderId,
      receiver_id: receiverId,
      user_low_id: Math.min(senderId, receiverId),
      user_high_id: Math.max(senderId, receiverId),
      content: contentOf(index),
      message_type: 'text' as const,
      // Most clients send an idempotency key; some rows without one keep both paths real.
      client_msg_id: index % 4 === 0 ? null : `seed-${index}`,
      is_read: read ? 1 : 0,
      read_at: read ? createdAt : null,
      created_at: createdAt,
      recalled_at: null,
    };
  });
}

/** Replaces the chat-list rows with those of the first `count` messages. */
async function writeConversations(db: Kysely<Database>, data: Dataset, count: number) {
  const rows = conversationsOf(data, count);
  const now = toDbTimestamp();
  await db.deleteFrom('unread_totals').execute();
  await db.deleteFrom('conversations').execute();
  await insertRange(db, 'conversations', { from: 0, to: rows.length }, (index) => {
    const row = rows[index];
    if (!row) throw new Error('conversation row out of range');
    return {
      owner_id: row.owner,
      peer_id: row.peer,
      last_message_id: row.lastMessageId,
      unread_count: row.unreadCount,
      message_count: row.messageCount,
      updated_at: now,
      pinned: row.pinned ? 1 : 0,
      muted: row.muted ? 1 : 0,
      hidden: row.hidden ? 1 : 0,
    };
  });
  // Each total is the sum of the owner's unread counts outside muted chats (hidden ones count).
  await db
    .insertInto('unread_totals')
    .columns(['user_id', 'unread_count'])
    .expression((eb) =>
      eb
        .selectFrom('conversations')
        .select((inner) => ['owner_id', inner.fn.sum<number>('unread_count').as('unread_count')])
        .where('owner_id', '>', 0)
        .where('muted', '=', 0)
        .groupBy('owner_id'),
    )
    .execute();
}

/** The search index rows of users 1..count (registration writes them for real users). */
async function insertUsernameGrams(db: Kysely<Database>, count: number): Promise<void> {
  const batch = isMysql(db) ? 4_000 : 2_500;
  let rows: Insertable<Database['username_grams']>[] = [];
  for (let id = 1; id <= count; id += 1) {
    const username = usernameOf(id);
    rows.push(
      ...usernameGramRows({
        id,
        username_key: usernameKey(username),
        username_skeleton: usernameSkeleton(username),
      }),
    );
    if (rows.length >= batch || id === count) {
      await db.insertInto('username_grams').values(rows).execute();
      rows = [];
    }
  }
}

/**
 * Users, friendships, one session per user (session id = user id, so any user's access
 * token can be signed without a login) and the messages of the low scaling point.
 */
export async function seedPhaseOne(data: Dataset): Promise<void> {
  const passwordHash = await hashPassword(benchPassword);
  const now = toDbTimestamp();
  await bulkLoad(async (db) => {
    await insertRange(db, 'users', { from: 1, to: data.users + 1 }, (id) => ({
      id,
      username: usernameOf(id),
      username_key: usernameOf(id),
      username_skeleton: usernameSkeleton(usernameOf(id)),
      email: `${usernameOf(id)}@example.com`,
      password_hash: passwordHash,
      token_version: 0,
      created_at: now,
      updated_at: now,
    }));
    await insertUsernameGrams(db, data.users);
    await insertRange(db, 'friendships', { from: 0, to: data.friendLow.length }, (index) => ({
      user_low_id: data.friendLow[index] ?? 0,
      user_high_id: data.friendHigh[index] ?? 0,
      created_by: data.friendLow[index] ?? 0,
      created_at: now,
    }));
    // The friend list's entries (one per side) and counts, as the add transaction keeps them.
    for (const [owner, friend] of [
      ['user_low_id', 'user_high_id'],
      ['user_high_id', 'user_low_id'],
    ] as const) {
      await sql`insert into friend_entries (owner_id, friend_key, friend_id, since)
        select ${sql.ref(`f.${owner}`)}, u.username_key, u.id, f.created_at
        from friendships f join users u on u.id = ${sql.ref(`f.${friend}`)}`.execute(db);
    }
    await sql`update users set friend_count =
      (select count(*) from friend_entries e where e.owner_id = users.id)`.execute(db);
    await insertRange(db, 'sessions', { from: 1, to: data.users + 1 }, (id) => ({
      id,
      user_id: id,
      token_version: 0,
      created_at: now,
      revoked_at: null,
    }));
    await insertMessages(db, data, 0, data.phaseOneMessages);
    await writeConversations(db, data, data.phaseOneMessages);
  });
  await analyze();
}

/** The rest of the messages, up to the full data set. */
export async function seedPhaseTwo(data: Dataset): Promise<void> {
  await bulkLoad(async (db) => {
    await insertMessages(db, data, data.phaseOneMessages, data.sender.length);
    await writeConversations(db, data, data.sender.length);
  });
  await analyze();
}

/** Fresh optimizer statistics, as a DBA would keep them. */
export async function analyze(): Promise<void> {
  const db = await getDb();
  if (isMysql(db)) {
    await sql`analyze table users, friendships, friend_entries, messages, conversations, sessions`.execute(
      db,
    );
  } else {
    await sql`analyze`.execute(db);
  }
}
