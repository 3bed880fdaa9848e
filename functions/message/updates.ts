import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { MessageUpdates } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { afterIdField, queryIntField } from '../../lib/http/validation';
import { messageUpdates } from '../../lib/messages';

export const requestSchema = {
  query: z.object({
    after_id: afterIdField.meta({
      description: 'The highest message id the client has (`0`: from the start).',
    }),
    limit: queryIntField({ min: 1, max: 500, fallback: 100 }),
  }),
};

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/message/updates',
  tag: 'Messages',
  summary: 'Catch up after a (re)connect',
  description:
    'Every message sent or received by the caller with `id > after_id`, ascending by id, all conversations together. While `has_more` is true, call again with `after_id` = the last id received. Read receipts that happened meanwhile are not replayed: refresh `is_read` from history or chats when it matters.',
  success: {
    status: 200,
    description: 'The messages.',
    message: 'MESSAGE_UPDATES',
    data: MessageUpdates,
    example: { messages: [examples.reply], has_more: false },
  },
  requestExample: { query: { after_id: 41, limit: 100 } },
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
