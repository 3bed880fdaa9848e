import { httpEndpoint, ok } from '../../lib/http/handler';
import { selfView } from '../../lib/users';

/** GET /api/auth/profile: the caller's own account. */
export const handler = httpEndpoint({
  auth: true,
  schema: {},
  handle: async ({ user }) => ok('PROFILE', { user: selfView(user) }),
});
