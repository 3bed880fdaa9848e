import type middy from '@middy/core';
import {
  bearerChallenge,
  errorBody,
  reportFailure,
  toAppError,
} from '../../http/middleware/error-mapper';
import { responseLanguage } from '../../http/language';
import type { WsContext, WsEvent, WsResult } from '../types';

/**
 * $connect's answer: 200 lets the handshake through; any error becomes its HTTP status
 * (401 for a bad token, 503 when the database is down), which refuses the handshake. A
 * thrown error would reach the client as a bare 502.
 */
export function wsConnectResponse(): middy.MiddlewareObj<WsEvent, WsResult, Error, WsContext> {
  return {
    after: (request) => {
      request.response ??= { statusCode: 200 };
    },
    onError: (request) => {
      const error = toAppError(request.error);
      reportFailure(error);
      const challenge = bearerChallenge(error);
      request.response = {
        statusCode: error.status,
        ...(challenge === undefined ? {} : { headers: { 'WWW-Authenticate': challenge } }),
        body: JSON.stringify(errorBody(error, responseLanguage(request.context))),
      };
    },
  };
}
