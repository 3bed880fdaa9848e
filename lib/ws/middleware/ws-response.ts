import type middy from '@middy/core';
import { errorBody, reportFailure, toAppError } from '../../http/middleware/error-mapper';
import { responseLanguage } from '../../http/language';
import type { ServerEvent } from '../../realtime/events';
import type { WsContext, WsEvent, WsResult } from '../types';

/** The route response that sends `frame` back to the connection (or nothing). */
export function frameResult(frame: ServerEvent | undefined): WsResult {
  return frame === undefined
    ? { statusCode: 200 }
    : { statusCode: 200, body: JSON.stringify(frame) };
}

/**
 * The response side of a frame's route, as @middy/ws-response would be: a handler that
 * returns nothing answers 200 with no frame, and any error becomes an `error` frame with the
 * HTTP stack's code and text, in the connection's language. The connection stays open.
 */
export function wsResponse(): middy.MiddlewareObj<WsEvent, WsResult, Error, WsContext> {
  return {
    after: (request) => {
      request.response ??= { statusCode: 200 };
    },
    onError: (request) => {
      const error = toAppError(request.error);
      reportFailure(error);
      const frame: ServerEvent = {
        type: 'error',
        data: errorBody(error, responseLanguage(request.context)),
      };
      request.response = frameResult(frame);
    },
  };
}
