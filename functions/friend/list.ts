import { listFriends } from '../../lib/friends';
import { httpEndpoint, ok } from '../../lib/http/handler';

/** GET /api/friend/list: the caller's friends, by username. */
export const handler = httpEndpoint({
  auth: true,
  schema: {},
  handle: async ({ user }) => {
    const friends = await listFriends(user.id);
    return ok('FRIEND_LIST', { friends, count: friends.length });
  },
});
