/**
 * Issue 15, read state: does mark_read cost the same with 10 and with 100,000 unread
 * messages? A fresh database (the configured one, emptied: run this in its own process)
 * gets two readers, each with a friend who sent them that many messages (a bulk insert,
 * counted as sends would count them); then the real `markRead` (lib/messages.ts) reads
 * them all, again and again, the two readers in turn. Between calls, outside the timing,
 * the one read mark a call writes is taken back and the counts restored, so every call
 * meets the whole backlog.
 *
 *   npx tsx bench/costs/read.ts --db sqlite|mysql --scale small|default
 *
 * prints the cases as JSON. Sizes: default 10 and 100,000 unread; small 10 and 10,000.
 */
import type { ScaleName } from '../options';
import type { DbType } from '../types';
import { costCase, costPoint, runCostModule } from './case';
import type { CostCase, CostPoint } from './types';

const WARM_UP = 20;

const sizes: Record<ScaleName, { small: number; large: number; calls: number }> = {
  default: { small: 10, large: 100_000, calls: 1_000 },
  small: { small: 10, large: 10_000, calls: 200 },
};

interface Reader {
  sender: number;
  reader: number;
  unread: number;
}

/** A new reader with `unread` unread messages from a new friend. */
async function seedReader(prefix: string, unread: number): Promise<Reader> {
  const { getDb } = await import('../../lib/db/connection');
  const { friendshipKey } = await import('../../lib/friends');
  const { toDbTimestamp } = await import('../../lib/db/time');
  const { seedUsers } = await import('../../test/helpers/query-plans');
  const { seedBacklog } = await import('../../test/helpers/backlog');
  const db = await getDb();
  const [sender = 0, reader = 0] = await seedUsers(prefix, 2);
  await db
    .insertInto('friendships')
    .values({ ...friendshipKey(sender, reader), created_by: sender, created_at: toDbTimestamp() })
    .execute();
  await seedBacklog(sender, reader, unread);
  return { sender, reader, unread };
}

/**
 * Both sizes in one fresh database, two readers, the calls alternating between them: on a
 * shared machine a burst of other work then slows both alike, and the backlog is the only
 * difference between them.
 */
async function measureSizes(sizesToRun: readonly number[], calls: number): Promise<CostPoint[]> {
  const { closeDb, getDb } = await import('../../lib/db/connection');
  const { resetDatabase, analyze } = await import('../seed');
  const { markRead } = await import('../../lib/messages');
  await closeDb();
  await resetDatabase();
  const db = await getDb();
  const readers: Reader[] = [];
  for (const [index, unread] of sizesToRun.entries()) {
    readers.push(await seedReader(`costread${index}x`, unread));
  }
  await analyze();

  // Back to `unread` unread messages: the call's one mark goes, the counts come back.
  const restore = async ({ sender, reader, unread }: Reader) => {
    await db
      .deleteFrom('read_marks')
      .where('reader_id', '=', reader)
      .where('sender_id', '=', sender)
      .execute();
    await db
      .updateTable('conversations')
      .set({ unread_count: unread })
      .where('owner_id', '=', reader)
      .where('peer_id', '=', sender)
      .execute();
    await db
      .updateTable('unread_totals')
      .set({ unread_count: unread })
      .where('user_id', '=', reader)
      .execute();
  };
  const latencies = readers.map((): number[] => []);
  for (let index = 0; index < calls + WARM_UP; index += 1) {
    for (const [which, entry] of readers.entries()) {
      await restore(entry);
      const before = performance.now();
      const updated = await markRead(entry.reader, entry.sender);
      const elapsed = performance.now() - before;
      if (updated !== entry.unread) {
        throw new Error(`mark_read read ${updated}, not ${entry.unread}`);
      }
      // The first calls warm caches and statements up.
      if (index >= WARM_UP) latencies[which]?.push(elapsed);
    }
  }
  await closeDb();
  await resetDatabase();
  return readers.map((entry, which) => costPoint(entry.unread, latencies[which] ?? []));
}

/**
 * mark_read (everything) at two backlog sizes. Uses the configured database (DB_TYPE and
 * its settings), emptying it before and after each size.
 */
export async function measureReadCosts(db: DbType, scale: ScaleName): Promise<CostCase[]> {
  const { getConfig } = await import('../../lib/config');
  if (getConfig().db.type !== db) throw new Error(`DB_TYPE is ${getConfig().db.type}, not ${db}`);
  const { small, large, calls } = sizes[scale];
  const [low, high] = await measureSizes([small, large], calls);
  if (!low || !high) throw new Error('a size was not measured');
  return [costCase('mark_read all', 'unread messages', low, high)];
}

if (require.main === module) runCostModule('read', measureReadCosts);
