import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { SelfUser } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { selfView } from '../../lib/users';

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/auth/profile',
  tag: 'Accounts',
  summary: "The caller's own account",
  success: {
    status: 200,
    description: 'The account.',
    message: 'PROFILE',
    data: z.object({ user: SelfUser }),
    example: { user: examples.self },
  },
};

/** GET /api/auth/profile: the caller's own account. */
export const handler = httpEndpoint({
  auth: true,
  schema: {},
  handle: async ({ user }) => ok('PROFILE', { user: selfView(user) }),
});
