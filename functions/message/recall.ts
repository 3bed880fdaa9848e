import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { Message } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField } from '../../lib/http/validation';
import { recallMessage } from '../../lib/messages';

export const requestSchema = {
  body: z.object({ message_id: idField }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/message/recall',
  tag: 'Messages',
  summary: 'Recall a message',
  description:
    "Only the sender, and only within the recall window after `created_at` (see **Limits** in the introduction). The stored content is erased: every read shows `content: null` with `recalled_at`; the rest of the message stays. Recalling a recalled message answers `200` again. Both users' connections get `message.recalled`.",
  success: {
    status: 200,
    description: 'Recalled.',
    message: 'MESSAGE_RECALLED',
    data: z.object({ message: Message }),
    example: {
      message: { ...examples.message, content: null, recalled_at: '2026-11-24T08:16:10.500Z' },
    },
  },
  errors: ['MESSAGE_NOT_FOUND', 'NOT_SENDER', 'RECALL_WINDOW_PASSED'],
  requestExample: { body: { message_id: 41 } },
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
