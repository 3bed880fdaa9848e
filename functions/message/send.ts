import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { Message } from '../../lib/api/schemas';
import { created, httpEndpoint, ok } from '../../lib/http/handler';
import { fieldMessage } from '../../lib/http/messages';
import { idField, textField } from '../../lib/http/validation';
import { isMediaReference } from '../../lib/media';
import { messageTypes, sendMessage } from '../../lib/messages';

export const requestSchema = {
  body: z
    .object({
      receiver_id: idField,
      /** Stored exactly as sent: not trimmed, but never blank (only whitespace or invisible characters). */
      content: textField({ min: 1, max: 5000 }),
      message_type: z
        .enum(messageTypes, { error: fieldMessage('ONE_OF', messageTypes.join(', ')) })
        .nullish()
        .transform((type) => type ?? 'text')
        .meta({
          description:
            '`text` when absent or null. `image` and `file`: `content` is an `https://` URL (at most 2048 characters, a host name rather than an IP address, no credentials) or a storage key (1–512 of `A-Z a-z 0-9 / _ . -`, no `.` or `..` segment); anything else is `VALIDATION_ERROR`.',
        }),
      // MySQL compares strings ignoring trailing spaces, so `k1` and `k1 ` would be one key
      // there and two on SQLite: surrounding whitespace is refused to keep both the same.
      client_msg_id: textField({ min: 1, max: 64 })
        .refine((key) => key.trim() === key, { error: 'NO_SURROUNDING_SPACE' })
        .nullish()
        .meta({
          description:
            'Optional idempotency key, unique per sender, without surrounding whitespace: a repeat creates nothing and answers the original message.',
        }),
    })
    // An image or a file is fetched and rendered by clients: only a safe reference to one.
    .refine((body) => body.message_type === 'text' || isMediaReference(body.content), {
      error: 'MEDIA_REFERENCE',
      path: ['content'],
    }),
};

const sent = z.object({ message: Message });

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/message/send',
  tag: 'Messages',
  summary: 'Send a message to a friend',
  description:
    "`content` is stored exactly as sent (emoji included; not trimmed). Once committed the message is pushed as `message.new` to every connection of the receiver and of the sender. A repeated `client_msg_id` returns the original message (even if the repeat's body differs, and even over the rate limit) and pushes nothing.",
  success: [
    {
      status: 201,
      description: 'Sent.',
      message: 'MESSAGE_SENT',
      data: sent,
      example: { message: examples.message },
    },
    {
      status: 200,
      description: 'A repeated `client_msg_id`: the original message; nothing new was sent.',
      message: 'MESSAGE_ALREADY_SENT',
      data: sent,
      example: { message: examples.message },
    },
  ],
  errors: ['USER_NOT_FOUND', 'CANNOT_MESSAGE_SELF', 'NOT_FRIENDS', 'BLOCKED'],
  rateLimit: 'Messages sent per user (a refused send counts, a repeated `client_msg_id` does not).',
  requestExample: {
    body: { receiver_id: 2, content: 'Hello 👋', message_type: 'text', client_msg_id: '3f1c-0001' },
  },
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
