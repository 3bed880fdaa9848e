import { sql, type Kysely } from 'kysely';
import type { DatabaseClient } from './connection';
import { isMysql } from './dialect';
import type { Database } from './schema';

const MAX_ATTEMPTS = 4;

/** InnoDB gave up on one of two transactions that waited on each other; running it again is safe. */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ER_LOCK_DEADLOCK';
}

/**
 * Runs `work` as one write transaction.
 * - MySQL: InnoDB row locks; run again (a few times) if chosen as a deadlock victim.
 * - SQLite: `BEGIN IMMEDIATE` takes the write lock up front (waiting on the busy timeout),
 *   so a transaction that reads before it writes can never fail on lock upgrade.
 */
export async function inTransaction<T>(
  db: DatabaseClient,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (!isMysql(db)) {
    return db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const result = await work(connection);
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    });
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (!isDeadlock(error) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
