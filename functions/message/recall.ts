import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';
import { recallMessage } from '../../lib/messages';

export const requestSchema = {
  body: z.object({ message_id: idField }),
};

/** POST /api/message/recall: the sender takes a message back within the recall window. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    const message = await recallMessage(user.id, body.message_id);
    return ok('MESSAGE_RECALLED', { message });
  },
});
