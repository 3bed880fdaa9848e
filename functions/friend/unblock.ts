import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { unblockUser } from '../../lib/blocks';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { requestSchema } from './block';

export { requestSchema };

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/friend/unblock',
  tag: 'Friends',
  summary: 'Lift a block',
  description: "Lifts the caller's block; unblocking someone not blocked answers the same.",
  success: {
    status: 200,
    description: 'Not blocked (any more).',
    message: 'USER_UNBLOCKED',
    data: z.object({ user_id: z.int().min(1), blocked: z.literal(false) }),
    example: { user_id: 2, blocked: false },
  },
  errors: ['USER_NOT_FOUND', 'CANNOT_BLOCK_SELF'],
  requestExample: { body: { user_id: 2 } },
};

/** POST /api/friend/unblock: lift the caller's block (answers the same if there was none). */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    await unblockUser(user.id, body.user_id);
    return ok('USER_UNBLOCKED', { user_id: body.user_id, blocked: false });
  },
});
