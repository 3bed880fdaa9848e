import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { logout } from '../../lib/users';

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/auth/logout',
  tag: 'Accounts',
  summary: 'Sign out this login',
  description:
    "No body. The presented access token and its login's refresh token stop working at once, and that login's WebSocket connections are closed; the user's other logins are untouched.",
  success: {
    status: 200,
    description: 'Signed out.',
    message: 'LOGGED_OUT',
    data: z.null(),
    example: null,
  },
};

/** POST /api/auth/logout: revoke this login's access token and refresh token. */
export const handler = httpEndpoint({
  auth: true,
  schema: {},
  handle: async (caller) => {
    await logout(caller);
    return ok('LOGGED_OUT', null);
  },
});
