import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';
import { markRead } from '../../lib/messages';

export const requestSchema = {
  body: z.object({
    sender_id: idField,
    up_to_id: idField
      .meta({ description: 'Only messages with an id up to this one; absent or null: all.' })
      .nullish(),
  }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/message/mark_read',
  tag: 'Messages',
  summary: "Mark a sender's messages read",
  description:
    "Marks the messages from `sender_id` to the caller as read, setting `read_at`. Idempotent: already-read messages are not touched, and the caller's unread count drops by exactly `updated`. A read watermark, not an update of every message: the cost does not grow with the number of unread messages. When `updated` is above 0, both users' connections get `message.read`.",
  success: {
    status: 200,
    description: 'Marked.',
    message: 'MARKED_READ',
    data: z.object({
      sender_id: z.int().min(1),
      updated: z.int().min(0).meta({ description: 'Messages this call marked read.' }),
    }),
    example: { sender_id: 2, updated: 1 },
  },
  errors: ['USER_NOT_FOUND'],
  requestExample: { body: { sender_id: 2, up_to_id: 42 } },
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
