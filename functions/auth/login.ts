import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { SelfUser, TokenPair } from '../../lib/api/schemas';
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

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/auth/login',
  tag: 'Accounts',
  summary: 'Sign in',
  description:
    "`username` is the username or the account's email, either without regard to case; a username is NFKC-normalized first (`ａｌｉｃｅ` is `alice`). Each login is a new session with its own refresh token; a user has at most 50 live logins, and a new one beyond that ends the oldest (closing its WebSocket connections). A wrong user and a wrong password get the same answer, after the same work.",
  success: {
    status: 200,
    description: 'Signed in: a new login (session).',
    message: 'LOGGED_IN',
    data: TokenPair.extend({ user: SelfUser }),
    example: { ...examples.tokens, user: examples.self },
  },
  errors: ['INVALID_CREDENTIALS'],
  rateLimit:
    'Every attempt, successful or not: per account from the client IP (the main limit), per client IP, and per account from anywhere (a higher ceiling). Once over a limit even the right password waits, but only there: the owner on another network is not locked out.',
  requestExample: { body: { username: 'zhang@example.com', password: 'correct horse battery' } },
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
