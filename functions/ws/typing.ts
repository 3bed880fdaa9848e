import * as z from 'zod';
import { idField } from '../../lib/http/validation';
import { fieldMessage } from '../../lib/http/messages';
import { typingStates } from '../../lib/realtime/events';
import { sendTyping } from '../../lib/realtime/typing';
import { wsRoute } from '../../lib/ws/handler';

export const frameSchema = z.object({
  action: z.literal('typing'),
  to: idField,
  state: z.enum(typingStates, { error: fieldMessage('ONE_OF', typingStates.join(', ')) }),
});

/** `{"action": "typing", "to", "state"}`: tells a friend; anyone else is an `error` frame. */
export const handler = wsRoute({
  frame: frameSchema,
  connection: true,
  handle: async ({ frame, connection }) => {
    await sendTyping(connection.user_id, frame.to, frame.state);
    return undefined;
  },
});
