import { getConfig } from '../../lib/config';
import { pingDatabase } from '../../lib/db/connection';
import { httpEndpoint, ok } from '../../lib/http/handler';

/** GET /api/health: the service and its database answer. */
export const handler = httpEndpoint({
  auth: false,
  schema: {},
  handle: async () => {
    await pingDatabase();
    return ok('HEALTHY', { status: 'ok', database: 'ok', db_type: getConfig().db.type });
  },
});
