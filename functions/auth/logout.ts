import { httpEndpoint, ok } from '../../lib/http/handler';
import { logout } from '../../lib/users';

/** POST /api/auth/logout: revoke this login's access token and refresh token. */
export const handler = httpEndpoint({
  auth: true,
  schema: {},
  handle: async (caller) => {
    await logout(caller);
    return ok('LOGGED_OUT', null);
  },
});
