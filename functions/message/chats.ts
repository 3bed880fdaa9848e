import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { ChatList } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { queryIntField } from '../../lib/http/validation';
import { chatList } from '../../lib/messages';

export const requestSchema = {
  query: z.object({ limit: queryIntField({ min: 1, max: 200, fallback: 50 }) }),
};

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/message/chats',
  tag: 'Messages',
  summary: 'The chat list, with unread counts',
  description:
    'One entry per user the caller has exchanged messages with: pinned chats first, each group newest last message first, hidden chats left out. A conversation stays after unfriending, with `is_friend: false`.',
  success: {
    status: 200,
    description: 'The chats.',
    message: 'CHAT_LIST',
    data: ChatList,
    example: { chats: [examples.chat], total_unread: 1 },
  },
  requestExample: { query: { limit: 50 } },
};

/** GET /api/message/chats: recent conversations, newest first, with unread counts. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ query, user }) => ok('CHAT_LIST', await chatList(user.id, query.limit)),
});
