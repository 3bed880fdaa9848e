import * as z from 'zod';
import type { WsRouteDoc } from '../../lib/api/endpoint';
import { AppError } from '../../lib/errors';
import { fieldMessage, fieldText } from '../../lib/http/messages';
import { clientActions, wsRoute } from '../../lib/ws/handler';

const knownActions = fieldMessage('ONE_OF', clientActions.join(', '));

/** What a frame must look like to be routed: a JSON object with a known `action`. */
export const frameSchema = z.object({
  action: z.enum(clientActions, { error: knownActions }),
});

export const api: WsRouteDoc = {
  summary: 'Any other frame',
  description:
    'A frame that is not JSON, not an object, or has no or an unknown `action` is answered with an `error` frame (INVALID_JSON, VALIDATION_ERROR); the connection stays open.',
  replies: [],
  errors: [],
};

/**
 * $default: every frame no route took. Not JSON, or not an object: INVALID_JSON; no or an
 * unknown action: VALIDATION_ERROR. Both answer an `error` frame; the connection stays open.
 */
export const handler = wsRoute({
  frame: frameSchema,
  connection: true,
  handle: async ({ connection }) => {
    // Reached only by a known action whose own route is not deployed.
    const language = connection.language === 'en' ? 'en' : 'zh';
    throw new AppError('VALIDATION_ERROR', [
      { field: 'action', message: fieldText(knownActions, language) },
    ]);
  },
});
