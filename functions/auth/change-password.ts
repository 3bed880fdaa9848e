import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { TokenPair } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { givenPasswordField, newPasswordField } from '../../lib/http/validation';
import { changePassword } from '../../lib/users';

export const requestSchema = {
  body: z.object({ old_password: givenPasswordField, new_password: newPasswordField }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/auth/change_password',
  tag: 'Accounts',
  summary: 'Change the password',
  description:
    '`new_password` follows the register rules (commonly used passwords: `WEAK_PASSWORD`). Answers a fresh login; **every earlier login of the account ends**: its access tokens, its refresh tokens and its WebSocket connections.',
  success: {
    status: 200,
    description: 'Changed: a fresh login.',
    message: 'PASSWORD_CHANGED',
    data: TokenPair,
    example: examples.tokens,
  },
  errors: ['WRONG_PASSWORD', 'SAME_PASSWORD', 'WEAK_PASSWORD'],
  rateLimit:
    'Each check of the old password counts as a login attempt (per account and client IP, per client IP, and per account). `SAME_PASSWORD` and `WEAK_PASSWORD` are answered before it, uncounted.',
  requestExample: {
    body: { old_password: 'correct horse battery', new_password: 'a new password' },
  },
};

/** POST /api/auth/change_password: new password, fresh token, every older token revoked. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user, clientIp }) => {
    const tokens = await changePassword(user, body.old_password, body.new_password, clientIp);
    return ok('PASSWORD_CHANGED', tokens);
  },
});
