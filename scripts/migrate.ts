/**
 * `npm run migrate`: applies pending migrations to the configured database
 * (DB_TYPE, SQLITE_PATH or DB_HOST/DB_NAME/..., read from the environment or .env).
 */
import { getConfig } from '../lib/config';
import { getDb, closeDb } from '../lib/db/connection';
import { migrateToLatest } from '../lib/db/migrate';

async function main(): Promise<void> {
  process.env.DB_AUTO_MIGRATE = 'false';
  const config = getConfig();
  const applied = await migrateToLatest(await getDb(), config.db.type);
  const target =
    config.db.type === 'sqlite' ? config.db.path : `${config.db.host}/${config.db.database}`;
  console.log(
    applied.length > 0
      ? `Applied ${applied.length} migration(s) to ${config.db.type} ${target}: ${applied.join(', ')}`
      : `${config.db.type} ${target} is up to date`,
  );
}

main()
  .catch((error: unknown) => {
    // The cause says why (e.g. the SQLite file is locked, the server refuses the user).
    const reason =
      error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    console.error(error instanceof Error ? `${error.message}${reason}` : error);
    process.exitCode = 1;
  })
  .finally(() => closeDb());
