import type { Transaction } from 'kysely';
import type { DatabaseClient } from './connection';
import type { Database } from './schema';

const MAX_ATTEMPTS = 4;

/** InnoDB gave up on one of two transactions that waited on each other; running it again is safe. */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ER_LOCK_DEADLOCK';
}

/**
 * Runs `work` in a transaction, again (a few times) if MySQL picks it as a deadlock victim.
 * On SQLite, write transactions should begin with a write so they take the write lock (and
 * wait on the busy timeout) at once rather than fail on upgrade.
 */
export async function inTransaction<T>(
  db: DatabaseClient,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (!isDeadlock(error) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
