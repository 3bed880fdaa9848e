import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { afterIdField, queryIntField } from '../../lib/http/validation';
import { messageUpdates } from '../../lib/messages';

export const requestSchema = {
  query: z.object({
    after_id: afterIdField,
    limit: queryIntField({ min: 1, max: 500, fallback: 100 }),
  }),
};

/** GET /api/message/updates: catch-up after a reconnect, every message of the caller's after an id. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ query, user }) => {
    const updates = await messageUpdates(user.id, query.after_id, query.limit);
    return ok('MESSAGE_UPDATES', updates);
  },
});
