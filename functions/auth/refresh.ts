import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { textField } from '../../lib/http/validation';
import { refreshSession } from '../../lib/sessions';

export const requestSchema = {
  body: z.object({ refresh_token: textField({ min: 1, max: 256 }) }),
};

/** POST /api/auth/refresh: a new access token and a new refresh token for an old refresh token. */
export const handler = httpEndpoint({
  auth: false,
  schema: requestSchema,
  handle: async ({ body }) => ok('TOKEN_REFRESHED', await refreshSession(body.refresh_token)),
});
