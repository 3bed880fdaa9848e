import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { FriendEntry } from '../../lib/api/schemas';
import { listFriends } from '../../lib/friends';
import { httpEndpoint, ok } from '../../lib/http/handler';

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/friend/list',
  tag: 'Friends',
  summary: "The caller's friends",
  description: 'Ordered by username without regard to case, then by id. No emails.',
  success: {
    status: 200,
    description: 'The friends.',
    message: 'FRIEND_LIST',
    data: z.object({ friends: z.array(FriendEntry), count: z.int().min(0) }),
    example: { friends: [{ ...examples.friend, blocked: false }], count: 1 },
  },
};

/** GET /api/friend/list: the caller's friends, by username. */
export const handler = httpEndpoint({
  auth: true,
  schema: {},
  handle: async ({ user }) => {
    const friends = await listFriends(user.id);
    return ok('FRIEND_LIST', { friends, count: friends.length });
  },
});
