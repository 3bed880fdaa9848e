import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';
import { lastMessage } from '../../lib/messages';

export const requestSchema = {
  query: z.object({ friend_id: idField }),
};

/** GET /api/message/last: the newest message with a user, or null. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ query, user }) =>
    ok('LAST_MESSAGE', { message: await lastMessage(user.id, query.friend_id) }),
});
