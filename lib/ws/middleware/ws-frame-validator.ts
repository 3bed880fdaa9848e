import type middy from '@middy/core';
import type { z } from 'zod';
import { AppError } from '../../errors';
import { responseLanguage } from '../../http/language';
import { errorMapFor, toFieldProblems } from '../../http/validation';
import type { WsContext, WsEvent, WsResult } from '../types';

/**
 * Validates the parsed frame against the route's zod schema, with the same error texts as
 * HTTP request validation, and puts the typed result on `event.frame`.
 */
export function wsFrameValidator(
  schema: z.ZodType,
): middy.MiddlewareObj<WsEvent, WsResult, Error, WsContext> {
  return {
    before: (request) => {
      const language = responseLanguage(request.context);
      const result = schema.safeParse(request.event.body, { error: errorMapFor(language) });
      if (!result.success) {
        throw new AppError('VALIDATION_ERROR', toFieldProblems(result.error, language, 'frame'));
      }
      request.event.frame = result.data;
    },
  };
}
