import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { Message } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';
import { lastMessage } from '../../lib/messages';

export const requestSchema = {
  query: z.object({ friend_id: idField }),
};

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/message/last',
  tag: 'Messages',
  summary: 'The newest message with a user',
  description: 'Either direction; `null` when there is none.',
  success: {
    status: 200,
    description: 'The message, or null.',
    message: 'LAST_MESSAGE',
    data: z.object({ message: Message.nullable() }),
    example: { message: examples.reply },
  },
  errors: ['USER_NOT_FOUND'],
  requestExample: { query: { friend_id: 2 } },
};

/** GET /api/message/last: the newest message with a user, or null. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ query, user }) =>
    ok('LAST_MESSAGE', { message: await lastMessage(user.id, query.friend_id) }),
});
