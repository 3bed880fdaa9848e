import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { getConfig } from '../../lib/config';
import { pingDatabase } from '../../lib/db/connection';
import { httpEndpoint, ok } from '../../lib/http/handler';

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/health',
  tag: 'System',
  summary: 'The service and its database answer',
  success: {
    status: 200,
    description: 'Healthy.',
    message: 'HEALTHY',
    data: z.object({
      status: z.literal('ok'),
      database: z.literal('ok'),
      db_type: z.enum(['sqlite', 'mysql']),
    }),
    example: { status: 'ok', database: 'ok', db_type: 'mysql' },
  },
};

/** GET /api/health: the service and its database answer. */
export const handler = httpEndpoint({
  auth: false,
  schema: {},
  handle: async () => {
    await pingDatabase();
    return ok('HEALTHY', { status: 'ok', database: 'ok', db_type: getConfig().db.type });
  },
});
