import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { Friend } from '../../lib/api/schemas';
import { addFriend } from '../../lib/friends';
import { created, httpEndpoint } from '../../lib/http/handler';
import { textField } from '../../lib/http/validation';

export const requestSchema = {
  body: z.object({ friend_username: textField({ min: 1, max: 64, trim: true }) }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/friend/add',
  tag: 'Friends',
  summary: 'Add a friend',
  description:
    "Friendship is mutual and immediate (there is no request to accept): when A adds B, both see each other. `friend_username` is matched without regard to case. Of concurrent A→B and B→A adds, one gets `201` and the other `409`. Each user has at most 5,000 friends: an add when either side already has that many is `409 FRIEND_LIMIT_REACHED`. The added user's connections get `friend.added`.",
  success: {
    status: 201,
    description: 'Friends now.',
    message: 'FRIEND_ADDED',
    data: z.object({ friend: Friend }),
    example: { friend: examples.friend },
  },
  errors: [
    'USER_NOT_FOUND',
    'CANNOT_ADD_SELF',
    'ALREADY_FRIENDS',
    'FRIEND_LIMIT_REACHED',
    'BLOCKED',
  ],
  rateLimit:
    'Friend adds per user: every attempt counts, whatever its answer (an unknown name too), so a list of names cannot be walked.',
  requestExample: { body: { friend_username: 'bob' } },
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
