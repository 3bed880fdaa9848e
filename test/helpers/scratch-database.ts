import { Kysely, Migrator, MysqlDialect, SqliteDialect } from 'kysely';
import { getConfig } from '../../lib/config';
import { mysqlPoolOptions, openSqlite } from '../../lib/db/connection';
import { allMigrations } from '../../lib/db/migrations';
import type { Database } from '../../lib/db/schema';
import { createDatabase, dropDatabase } from './mysql-admin';

/**
 * An empty database of the test file's own, for migration tests that build an old version
 * step by step: a scratch MySQL database (`<DB_NAME>_<suffix>`, dropped afterwards) or an
 * in-memory SQLite one. Registers its beforeAll/afterAll; call the result inside a test.
 */
export function useScratchDatabase(suffix: string): () => Kysely<Database> {
  const config = getConfig();
  const scratchName = `${process.env.DB_NAME ?? 'chat_test'}_${suffix}`;
  let db: Kysely<Database> | undefined;
  beforeAll(async () => {
    if (config.db.type === 'mysql') {
      await createDatabase(scratchName);
      const { createPool } = await import('mysql2');
      db = new Kysely<Database>({
        dialect: new MysqlDialect({
          pool: createPool(mysqlPoolOptions({ ...config.db, database: scratchName })),
        }),
      });
    } else {
      db = new Kysely<Database>({
        dialect: new SqliteDialect({ database: await openSqlite(':memory:') }),
      });
    }
  });
  afterAll(async () => {
    await db?.destroy();
    if (config.db.type === 'mysql') await dropDatabase(scratchName);
  });
  return () => {
    if (!db) throw new Error('the scratch database is opened in beforeAll');
    return db;
  };
}

/** Kysely's Migrator over the service's migrations, to step `db` to an older version. */
export function migratorFor(db: Kysely<Database>): Migrator {
  const dialect = getConfig().db.type;
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(allMigrations({ dialect })) },
  });
}
