import * as z from 'zod';
import type { WsRouteDoc } from '../../lib/api/endpoint';
import { idField } from '../../lib/http/validation';
import { fieldMessage } from '../../lib/http/messages';
import { typingStates } from '../../lib/realtime/events';
import { sendTyping } from '../../lib/realtime/typing';
import { wsRoute } from '../../lib/ws/handler';

export const frameSchema = z.object({
  action: z.literal('typing'),
  to: idField.meta({ description: 'The friend being typed to.' }),
  state: z.enum(typingStates, { error: fieldMessage('ONE_OF', typingStates.join(', ')) }),
});

export const api: WsRouteDoc = {
  summary: 'Tell a friend that you started or stopped typing',
  description:
    "The friend's connections get `typing`. Nothing answers a delivered frame; between users where either blocks the other it is dropped without a word. Anyone but a friend (a stranger, an unknown id, yourself): `error` with NOT_FRIENDS.",
  replies: [],
  errors: ['NOT_FRIENDS'],
  example: { action: 'typing', to: 2, state: 'start' },
};

/** `{"action": "typing", "to", "state"}`: tells a friend; anyone else is an `error` frame. */
export const handler = wsRoute({
  frame: frameSchema,
  connection: true,
  handle: async ({ frame, connection }) => {
    await sendTyping(connection.user_id, frame.to, frame.state);
    return undefined;
  },
});
