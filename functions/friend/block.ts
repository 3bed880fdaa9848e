import * as z from 'zod';
import { blockUser } from '../../lib/blocks';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';

export const requestSchema = {
  body: z.object({ user_id: idField }),
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
