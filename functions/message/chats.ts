import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { queryIntField } from '../../lib/http/validation';
import { chatList } from '../../lib/messages';

export const requestSchema = {
  query: z.object({ limit: queryIntField({ min: 1, max: 200, fallback: 50 }) }),
};

/** GET /api/message/chats: recent conversations, newest first, with unread counts. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ query, user }) => ok('CHAT_LIST', await chatList(user.id, query.limit)),
});
