import { getConfig } from '../../lib/config';
import { getDb } from '../../lib/db/connection';
import { migrateToLatest } from '../../lib/db/migrate';
import { scheduledJob } from '../../lib/scheduled';

/**
 * Applies pending migrations: invoked once per deploy (`serverless invoke -f migrate`), since
 * deployed functions do not migrate on their own (DB_AUTO_MIGRATE is off outside `local`).
 * Two runs at once are safe: the second waits for the first's lock and finds nothing to do.
 */
export const handler = scheduledJob('migrate', async () => ({
  applied: await migrateToLatest(await getDb(), getConfig().db.type),
}));
