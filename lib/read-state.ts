import type { Kysely } from 'kysely';
import { throughIndex } from './db/index-hints';
import type { Database } from './db/schema';

/**
 * Read state as a watermark. mark_read adds one `read_marks` row, "the reader has read the
 * sender's messages up to this id, at this time", instead of updating every message it
 * reads, so its cost does not grow with the backlog. A message is read when its own row
 * says so (read before migration 007) or a mark of its reader and sender reaches its id;
 * `read_at` is that of the first such mark (withReadState finds them for a page at once).
 *
 * A watermark must never pass a message that is not committed yet (it would be read before
 * anyone could see it). Two locks guarantee it on MySQL: every send between two users takes
 * their friendship row exclusively before its message gets an id (lib/friends.ts), so the
 * pair's messages commit in id order; and mark_read reads the conversation's newest
 * message under the lock of the reader's conversation row, which a send also takes before
 * it commits. SQLite runs one write transaction at a time.
 */

/** What a message needs to find its read state. */
interface ReadStateKey {
  id: number;
  sender_id: number;
  receiver_id: number;
  /** Set on rows read before migration 007: they keep it. */
  read_at: string | null;
}

/**
 * `rows` with `mark_read_at`: the read time their readers' watermarks give them. One
 * statement for all of them, one index range per reader and sender among them, each read
 * from the lowest of their messages and stopped after as many marks as they can need: a
 * mark is only written when it reads at least one message, and `rows` hold every message of
 * their conversations between their lowest and highest id (a page of history, of catch-up,
 * or single messages), so each range holds at most its messages plus two marks. (A
 * correlated subquery per message would not do: MariaDB reads it by (reader, sender) and
 * filters `up_to_id` row by row, every mark below the message.)
 */
export async function withReadState<T extends ReadStateKey>(
  db: Kysely<Database>,
  rows: readonly T[],
): Promise<(T & { mark_read_at: string | null })[]> {
  const groups = new Map<
    string,
    { readerId: number; senderId: number; from: number; count: number }
  >();
  for (const row of rows) {
    if (row.read_at !== null) continue;
    const key = `${row.receiver_id}:${row.sender_id}`;
    const group = groups.get(key);
    if (group) {
      group.from = Math.min(group.from, row.id);
      group.count += 1;
    } else {
      groups.set(key, {
        readerId: row.receiver_id,
        senderId: row.sender_id,
        from: row.id,
        count: 1,
      });
    }
  }
  const ranges = [...groups.values()].map((group, index) =>
    db
      .selectFrom(
        db
          .selectFrom('read_marks')
          .select(['reader_id', 'sender_id', 'up_to_id', 'read_at'])
          .where('reader_id', '=', group.readerId)
          .where('sender_id', '=', group.senderId)
          .where('up_to_id', '>=', group.from)
          .orderBy('up_to_id')
          .limit(group.count + 2)
          .as(`r${index}`),
      )
      .selectAll(),
  );
  const [first, ...rest] = ranges;
  const marks = first
    ? await rest.reduce((query, next) => query.unionAll(next), first).execute()
    : [];
  // Ascending by up_to_id within each reader and sender: the first reaching a message is its mark.
  marks.sort((a, b) => Number(a.up_to_id) - Number(b.up_to_id));
  return rows.map((row) => {
    if (row.read_at !== null) return { ...row, mark_read_at: null };
    const mark = marks.find(
      (candidate) =>
        Number(candidate.reader_id) === row.receiver_id &&
        Number(candidate.sender_id) === row.sender_id &&
        Number(candidate.up_to_id) >= row.id,
    );
    return { ...row, mark_read_at: mark?.read_at ?? null };
  });
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
  // Named: MariaDB may otherwise read all of the sender's messages through another index.
  const row = await trx
    .selectFrom(throughIndex(trx, 'messages', 'messages_unread_idx', 'messages'))
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
      .selectFrom(throughIndex(trx, 'messages', 'messages_unread_idx', 'messages'))
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
