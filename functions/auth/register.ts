import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { SelfUser, TokenPair } from '../../lib/api/schemas';
import { created, httpEndpoint } from '../../lib/http/handler';
import { emailField, newPasswordField, usernameField } from '../../lib/http/validation';
import { registerUser, selfView } from '../../lib/users';

export const requestSchema = {
  body: z.object({ username: usernameField, email: emailField, password: newPasswordField }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/auth/register',
  tag: 'Accounts',
  summary: 'Create an account and sign in',
  description:
    'A commonly used password (one of 17,950, without regard to case) is refused with `WEAK_PASSWORD`. The account and its first login are created together. A name that looks like an existing one (same UTS #39 skeleton: `аlice` in Cyrillic, `ａｌｉｃｅ`, `a1ice` beside `alice`) is `USERNAME_TAKEN`. Of concurrent registrations of one name (or email, or look-alike names), exactly one succeeds.',
  success: {
    status: 201,
    description: 'Registered and signed in.',
    message: 'REGISTERED',
    data: z.object({ user: SelfUser }).extend(TokenPair.shape),
    example: { user: examples.self, ...examples.tokens },
  },
  errors: ['WEAK_PASSWORD', 'USERNAME_TAKEN', 'EMAIL_TAKEN'],
  rateLimit: 'Registration attempts per client IP.',
  requestExample: {
    body: { username: '张三', email: 'Zhang@Example.com', password: 'correct horse battery' },
  },
};

/** POST /api/auth/register: create an account and sign it in. */
export const handler = httpEndpoint({
  auth: false,
  schema: requestSchema,
  handle: async ({ body, clientIp }) => {
    const { user, tokens } = await registerUser(body, clientIp);
    return created('REGISTERED', { user: selfView(user), ...tokens });
  },
});
