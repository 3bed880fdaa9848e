import { Migrator, type Kysely } from 'kysely';
import { allMigrations, type MigrationContext } from './migrations';

/** Applies every pending migration; returns the names applied. Safe to run concurrently. */
export async function migrateToLatest<T>(
  db: Kysely<T>,
  dialect: MigrationContext['dialect'],
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(allMigrations({ dialect })) },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  const failed = results.find((result) => result.status === 'Error');
  if (failed) throw new Error(`Migration ${failed.migrationName} failed`);
  return results.map((result) => result.migrationName);
}
