import * as z from 'zod';
import { AppError } from '../../lib/errors';
import { fieldMessage, fieldText } from '../../lib/http/messages';
import { clientActions, wsRoute } from '../../lib/ws/handler';

const knownActions = fieldMessage('ONE_OF', clientActions.join(', '));

/** What a frame must look like to be routed: a JSON object with a known `action`. */
export const frameSchema = z.object({
  action: z.enum(clientActions, { error: knownActions }),
});

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
