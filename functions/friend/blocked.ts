import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { BlockedUser } from '../../lib/api/schemas';
import { blockedUsers } from '../../lib/blocks';
import { httpEndpoint, ok } from '../../lib/http/handler';

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/friend/blocked',
  tag: 'Friends',
  summary: 'The users the caller blocks',
  description: 'Newest block first.',
  success: {
    status: 200,
    description: 'The blocked users.',
    message: 'BLOCKED_LIST',
    data: z.object({ users: z.array(BlockedUser) }),
    example: { users: [examples.blocked] },
  },
};

/** GET /api/friend/blocked: everyone the caller blocks, newest first. */
export const handler = httpEndpoint({
  auth: true,
  schema: {},
  handle: async ({ user }) => {
    const users = await blockedUsers(user.id);
    return ok('BLOCKED_LIST', { users });
  },
});
