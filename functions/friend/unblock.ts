import { unblockUser } from '../../lib/blocks';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { requestSchema } from './block';

export { requestSchema };

/** POST /api/friend/unblock: lift the caller's block (answers the same if there was none). */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    await unblockUser(user.id, body.user_id);
    return ok('USER_UNBLOCKED', { user_id: body.user_id, blocked: false });
  },
});
