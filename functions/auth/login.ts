import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { givenPasswordField } from '../../lib/http/validation';
import { authenticate, selfView } from '../../lib/users';

export const requestSchema = {
  body: z.object({
    /** A username or the account's email, either without regard to case. */
    username: z.string().trim().min(1, { error: 'NOT_BLANK' }).max(254),
    password: givenPasswordField,
  }),
};

/** POST /api/auth/login: exchange credentials for an access token. */
export const handler = httpEndpoint({
  auth: false,
  schema: requestSchema,
  handle: async ({ body, clientIp }) => {
    const { user, tokens } = await authenticate(body.username, body.password, clientIp);
    return ok('LOGGED_IN', { ...tokens, user: selfView(user) });
  },
});
