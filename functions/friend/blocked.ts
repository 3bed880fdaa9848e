import { blockedUsers } from '../../lib/blocks';
import { httpEndpoint, ok } from '../../lib/http/handler';

/** GET /api/friend/blocked: everyone the caller blocks, newest first. */
export const handler = httpEndpoint({
  auth: true,
  schema: {},
  handle: async ({ user }) => {
    const users = await blockedUsers(user.id);
    return ok('BLOCKED_LIST', { users });
  },
});
