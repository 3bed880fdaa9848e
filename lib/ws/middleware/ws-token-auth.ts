import type middy from '@middy/core';
import { AppError } from '../../errors';
import { bearerToken } from '../../http/middleware/jwt-auth';
import { callerForAccessToken } from '../../users';
import type { WsContext, WsEvent, WsResult } from '../types';

const defaults = {
  /** Resolves an access token to its user and login, or throws UNAUTHORIZED. */
  authenticate: callerForAccessToken,
};

/**
 * $connect's authentication: the access token from `?token=` (browsers cannot set headers
 * on a WebSocket) or an `Authorization: Bearer` header, checked as the HTTP stack checks it
 * (signature, expiry, revocation). The caller goes on `event.auth`.
 */
export function wsTokenAuth(
  options: Partial<typeof defaults> = {},
): middy.MiddlewareObj<WsEvent, WsResult, Error, WsContext> {
  const { authenticate } = { ...defaults, ...options };
  return {
    before: async (request) => {
      const { queryStringParameters, headers } = request.event;
      const token = queryStringParameters?.token ?? bearerToken(headers?.authorization);
      if (token === undefined) {
        throw new AppError('UNAUTHORIZED', undefined, { reason: 'missing_token' });
      }
      if (!/^[A-Za-z0-9\-_.]{1,4096}$/.test(token)) throw new AppError('UNAUTHORIZED');
      request.event.auth = await authenticate(token);
    },
  };
}
