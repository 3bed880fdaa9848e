import * as z from 'zod';
import { addFriend } from '../../lib/friends';
import { created, httpEndpoint } from '../../lib/http/handler';
import { textField } from '../../lib/http/validation';

export const requestSchema = {
  body: z.object({ friend_username: textField({ min: 1, max: 64, trim: true }) }),
};

/** POST /api/friend/add: become friends with a user, both ways, at once. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    const friend = await addFriend(user, body.friend_username);
    return created('FRIEND_ADDED', { friend });
  },
});
