import * as z from 'zod';
import { wsRoute } from '../../lib/ws/handler';

export const frameSchema = z.object({ action: z.literal('ping') });

/** `{"action": "ping"}`: answered with `pong`, touching nothing (a keep-alive). */
export const handler = wsRoute({
  frame: frameSchema,
  connection: false,
  handle: async () => ({ type: 'pong', data: {} }),
});
