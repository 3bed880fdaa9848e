/**
 * `npm run housekeeping`: one housekeeping run (what the scheduled function does) against
 * the configured database (DB_TYPE, SQLITE_PATH or DB_HOST/DB_NAME/..., from the environment).
 */
import { closeDb } from '../lib/db/connection';
import { runHousekeeping } from '../lib/housekeeping';

runHousekeeping()
  .then((report) => console.log(JSON.stringify(report)))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => closeDb());
