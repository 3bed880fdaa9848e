import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { removeFriend } from '../../lib/friends';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';

export const requestSchema = {
  body: z.object({ friend_id: idField }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/friend/remove',
  tag: 'Friends',
  summary: 'End a friendship',
  description:
    "Ends the friendship for both sides; messages stay. The removed user's connections get `friend.removed`.",
  success: {
    status: 200,
    description: 'Not friends any more.',
    message: 'FRIEND_REMOVED',
    data: z.object({ friend_id: z.int().min(1) }),
    example: { friend_id: 2 },
  },
  errors: ['FRIEND_NOT_FOUND'],
  requestExample: { body: { friend_id: 2 } },
};

/** POST /api/friend/remove: end a friendship for both sides; messages stay. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    await removeFriend(user.id, body.friend_id);
    return ok('FRIEND_REMOVED', { friend_id: body.friend_id });
  },
});
