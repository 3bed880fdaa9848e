import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { blockUser } from '../../lib/blocks';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';

export const requestSchema = {
  body: z.object({ user_id: idField }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/friend/block',
  tag: 'Friends',
  summary: 'Block a user',
  description:
    "While A blocks B, neither can send to nor add the other (`403 BLOCKED`), and typing frames between them are dropped. The friendship stays (with `blocked: true` in A's friend list) and history stays readable. Blocking twice is one block.",
  success: {
    status: 200,
    description: 'Blocked.',
    message: 'USER_BLOCKED',
    data: z.object({ user_id: z.int().min(1), blocked: z.literal(true) }),
    example: { user_id: 2, blocked: true },
  },
  errors: ['USER_NOT_FOUND', 'CANNOT_BLOCK_SELF'],
  requestExample: { body: { user_id: 2 } },
};

/** POST /api/friend/block: neither user can message or add the other until unblocked. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    await blockUser(user.id, body.user_id);
    return ok('USER_BLOCKED', { user_id: body.user_id, blocked: true });
  },
});
