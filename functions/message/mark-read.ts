import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';
import { markRead } from '../../lib/messages';

export const requestSchema = {
  body: z.object({ sender_id: idField, up_to_id: idField.nullish() }),
};

/** POST /api/message/mark_read: mark a sender's messages to the caller read. Idempotent. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    const updated = await markRead(user.id, body.sender_id, body.up_to_id ?? undefined);
    return ok('MARKED_READ', { sender_id: body.sender_id, updated });
  },
});
