import * as z from 'zod';
import type { WsRouteDoc } from '../../lib/api/endpoint';
import { wsRoute } from '../../lib/ws/handler';

export const frameSchema = z.object({ action: z.literal('ping') });

export const api: WsRouteDoc = {
  summary: 'Keep the connection alive',
  description:
    'API Gateway closes a connection after 10 minutes without frames: send one every few minutes. Touches nothing.',
  replies: ['pong'],
  errors: [],
  example: { action: 'ping' },
};

/** `{"action": "ping"}`: answered with `pong`, touching nothing (a keep-alive). */
export const handler = wsRoute({
  frame: frameSchema,
  connection: false,
  handle: async () => ({ type: 'pong', data: {} }),
});
