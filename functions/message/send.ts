import * as z from 'zod';
import { created, httpEndpoint, ok } from '../../lib/http/handler';
import { fieldMessage } from '../../lib/http/messages';
import { idField, textField } from '../../lib/http/validation';
import { messageTypes, sendMessage } from '../../lib/messages';

export const requestSchema = {
  body: z.object({
    receiver_id: idField,
    /** Stored exactly as sent: not trimmed, but never only whitespace. */
    content: textField({ min: 1, max: 5000 }),
    message_type: z
      .enum(messageTypes, { error: fieldMessage('ONE_OF', messageTypes.join(', ')) })
      .nullish()
      .transform((type) => type ?? 'text'),
    // MySQL compares strings ignoring trailing spaces, so `k1` and `k1 ` would be one key
    // there and two on SQLite: surrounding whitespace is refused to keep both the same.
    client_msg_id: textField({ min: 1, max: 64 })
      .refine((key) => key.trim() === key, { error: 'NO_SURROUNDING_SPACE' })
      .nullish(),
  }),
};

/** POST /api/message/send: a message to a friend; `client_msg_id` makes retries safe. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    const result = await sendMessage(user, {
      receiverId: body.receiver_id,
      content: body.content,
      messageType: body.message_type,
      clientMsgId: body.client_msg_id ?? undefined,
    });
    return result.created
      ? created('MESSAGE_SENT', { message: result.message })
      : ok('MESSAGE_ALREADY_SENT', { message: result.message });
  },
});
