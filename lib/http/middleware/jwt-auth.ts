import type middy from '@middy/core';
import { AppError } from '../../errors';
import { callerForAccessToken } from '../../users';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

const defaults = {
  /** Resolves a bearer token to its user and session, or throws UNAUTHORIZED. */
  authenticate: callerForAccessToken,
};

const bearerPattern = /^Bearer[ \t]+([A-Za-z0-9\-_.]+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header; undefined for anything else. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : bearerPattern.exec(header)?.[1];
}

/**
 * Requires `Authorization: Bearer <access token>` and puts the token's user and session
 * on `event.auth`. Anything missing, malformed, expired, forged or revoked is 401.
 */
export function jwtAuth(
  options: Partial<typeof defaults> = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const { authenticate } = { ...defaults, ...options };
  return {
    before: async (request) => {
      const token = bearerToken(request.event.headers?.authorization);
      if (token === undefined) {
        throw new AppError('UNAUTHORIZED', undefined, { reason: 'missing_token' });
      }
      request.event.auth = await authenticate(token);
    },
  };
}
