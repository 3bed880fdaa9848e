import { DEFAULT_MIGRATION_TABLE, Migrator, sql, type Kysely } from 'kysely';
import { allMigrations, type MigrationContext } from './migrations';

/**
 * Applies every pending migration; returns the names applied. Safe to run concurrently.
 *
 * Every cold container calls this. Kysely's Migrator inspects the whole schema (MySQL:
 * information_schema, slow) three times and queues on one migration lock, so thirty
 * containers starting together (a burst of parallel requests) spent seconds in line here.
 * One read of the migration table answers "nothing to do" for an up-to-date database;
 * only a new or older one goes through the Migrator.
 */
export async function migrateToLatest<T>(
  db: Kysely<T>,
  dialect: MigrationContext['dialect'],
): Promise<string[]> {
  const migrations = allMigrations({ dialect });
  if (await allApplied(db, Object.keys(migrations))) return [];
  if (dialect === 'mysql') return runMigrator(db, migrations);
  // Kysely takes no lock on SQLite (one connection per process), so two processes on one
  // file (two `npm run migrate`, offline workers starting together) could both apply a
  // migration. The write lock taken first (BEGIN IMMEDIATE, which waits out busy_timeout)
  // makes the second wait for the first, then find nothing to do; SQLite's DDL is
  // transactional, so a failed run leaves nothing behind.
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const applied = await runMigrator(connection, migrations);
      await sql`commit`.execute(connection);
      return applied;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}

async function runMigrator<T>(
  db: Kysely<T>,
  migrations: ReturnType<typeof allMigrations>,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  const failed = results.find((result) => result.status === 'Error');
  if (failed) throw new Error(`Migration ${failed.migrationName} failed`);
  return results.map((result) => result.migrationName);
}

/** Whether the migration table lists every one of `names` (false when it does not exist yet). */
async function allApplied<T>(db: Kysely<T>, names: readonly string[]): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(
      DEFAULT_MIGRATION_TABLE,
    )}`.execute(db);
    const applied = new Set(rows.map((row) => row.name));
    return names.every((name) => applied.has(name));
  } catch {
    return false;
  }
}
