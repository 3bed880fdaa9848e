import { sql, type Kysely } from 'kysely';
import type { Database } from './db/schema';

/**
 * Read state as a watermark. mark_read adds one `read_marks` row, "the reader has read the
 * sender's messages up to this id, at this time", instead of updating every message it
 * reads, so its cost does not grow with the backlog. A message is read when its own row
 * says so (read before migration 007) or a mark of its reader and sender reaches its id;
 * `read_at` is that of the first such mark: one seek of the marks' primary key.
 *
 * A watermark must never pass a message that is not committed yet (it would be read before
 * anyone could see it). Two locks guarantee it on MySQL: every send between two users takes
 * their friendship row exclusively before its message gets an id (lib/friends.ts), so the
 * pair's messages commit in id order; and mark_read reads the conversation's newest
 * message under the lock of the reader's conversation row, which a send also takes before
 * it commits. SQLite runs one write transaction at a time.
 */

/**
 * `read_at` of the first mark reaching the message `alias` names, or null: a column for the
 * message's select (messageView reads it as `mark_read_at`).
 */
export function markReadAt(db: Kysely<Database>, alias: string) {
  return db
    .selectFrom('read_marks as rm')
    .select('rm.read_at')
    .where('rm.reader_id', '=', sql.ref<number>(`${alias}.receiver_id`))
    .where('rm.sender_id', '=', sql.ref<number>(`${alias}.sender_id`))
    .where('rm.up_to_id', '>=', sql.ref<number>(`${alias}.id`))
    .orderBy('rm.up_to_id')
    .limit(1)
    .as('mark_read_at');
}

/** The same for one message already read from the table (recall's locked read). */
export async function markReadAtOf(
  db: Kysely<Database>,
  message: { id: number; sender_id: number; receiver_id: number },
): Promise<string | null> {
  const mark = await db
    .selectFrom('read_marks')
    .select('read_at')
    .where('reader_id', '=', message.receiver_id)
    .where('sender_id', '=', message.sender_id)
    .where('up_to_id', '>=', message.id)
    .orderBy('up_to_id')
    .limit(1)
    .executeTakeFirst();
  return mark?.read_at ?? null;
}

/** How far `readerId` has read `senderId`'s messages (0: no mark yet). One index seek. */
export async function watermark(
  trx: Kysely<Database>,
  readerId: number,
  senderId: number,
): Promise<number> {
  const row = await trx
    .selectFrom('read_marks')
    .select('up_to_id')
    .where('reader_id', '=', readerId)
    .where('sender_id', '=', senderId)
    .orderBy('up_to_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return Number(row?.up_to_id ?? 0);
}

/**
 * Unread messages from `senderId` to `readerId` with an id in (`after`, `upTo`]: those a
 * mark from `after` to `upTo` reads. Only a mark that stops short of the conversation's
 * newest message needs it (the others read the whole unread count); an index-only range
 * count of the messages it reads.
 */
export async function unreadBetween(
  trx: Kysely<Database>,
  range: { readerId: number; senderId: number; after: number; upTo: number },
): Promise<number> {
  const row = await trx
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('receiver_id', '=', range.readerId)
    .where('sender_id', '=', range.senderId)
    .where('is_read', '=', 0)
    .where('id', '>', range.after)
    .where('id', '<=', range.upTo)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The newest message from `senderId` to `readerId` with an id up to `upTo` (0: none). */
export async function newestFrom(
  trx: Kysely<Database>,
  range: { readerId: number; senderId: number; upTo: number },
): Promise<number> {
  // One seek per value of is_read (the index's third column): rows read before 007 may be
  // the newest.
  const newest = (isRead: number) =>
    trx
      .selectFrom('messages')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('receiver_id', '=', range.readerId)
      .where('sender_id', '=', range.senderId)
      .where('is_read', '=', isRead)
      .where('id', '<=', range.upTo);
  const row = await trx
    .selectNoFrom([newest(0).as('unread'), newest(1).as('read')])
    .executeTakeFirstOrThrow();
  return Math.max(Number(row.unread ?? 0), Number(row.read ?? 0));
}
