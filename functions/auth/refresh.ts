import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { TokenPair } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { textField } from '../../lib/http/validation';
import { refreshSession } from '../../lib/sessions';

export const requestSchema = {
  body: z.object({ refresh_token: textField({ min: 1, max: 512 }) }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/auth/refresh',
  tag: 'Accounts',
  summary: 'New tokens for a refresh token',
  description:
    'Refresh tokens rotate: each works once and is replaced by the one returned, so store the new one before using it. A token presented again within `REFRESH_REUSE_GRACE_SECONDS` (default 20) of its rotation, while its login lives, is taken as a retry of a lost answer: it gets a fresh pair of its own and nothing is revoked (the pair answered first stays valid too). Presented again later, it is taken as theft: the whole login is revoked (`401`) and the user signs in again. Unknown, expired or revoked tokens, and those of a login older than the last password change: `401` (`reason: invalid_token`: sign in again).',
  success: {
    status: 200,
    description: 'A new access token and a new refresh token.',
    message: 'TOKEN_REFRESHED',
    data: TokenPair,
    example: examples.tokens,
  },
  errors: ['UNAUTHORIZED'],
  requestExample: { body: { refresh_token: examples.tokens.refresh_token } },
};

/** POST /api/auth/refresh: a new access token and a new refresh token for an old refresh token. */
export const handler = httpEndpoint({
  auth: false,
  schema: requestSchema,
  handle: async ({ body }) => ok('TOKEN_REFRESHED', await refreshSession(body.refresh_token)),
});
