import * as z from 'zod';
import { removeFriend } from '../../lib/friends';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';

export const requestSchema = {
  body: z.object({ friend_id: idField }),
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
