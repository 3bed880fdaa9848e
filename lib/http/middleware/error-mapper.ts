import type middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import { AppError } from '../../errors';
import { isDatabaseUnavailable } from '../../db/errors';
import { errorForLog, logger } from '../../logger';
import { responseLanguage } from '../language';
import { errorTexts, type Language } from '../messages';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

const BODY_PARSER = '@middy/http-json-body-parser';

/** The one mapping from whatever went wrong to the contract's AppError. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const cause = (error as { cause?: { package?: unknown } } | undefined)?.cause;
  if (cause?.package === BODY_PARSER) {
    // The parser answers 415 both for a wrong Content-Type and for malformed JSON.
    const wrongType = (error as Error).message === 'Unsupported Media Type';
    return new AppError(wrongType ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_JSON', undefined, {
      cause: error,
    });
  }
  if (isDatabaseUnavailable(error))
    return new AppError('SERVICE_UNAVAILABLE', undefined, { cause: error });
  return new AppError('INTERNAL_ERROR', undefined, { cause: error });
}

/** Logs what went wrong, when it is the service's problem (5xx); refusals are not logged. */
export function reportFailure(error: AppError): void {
  // An unreachable database is an operational state; anything else 5xx is a bug.
  if (error.code === 'SERVICE_UNAVAILABLE') {
    logger.warn(error.code, { error: errorForLog(error.cause ?? error) });
  } else if (error.status >= 500) {
    logger.error(error.code, { error: errorForLog(error.cause ?? error) });
  }
}

/** The contract's error body: `{error, code, details?}`, the text in `language`. */
export function errorBody(error: AppError, language: Language) {
  return {
    error: errorTexts[error.code][language],
    code: error.code,
    ...(error.details ? { details: error.details } : {}),
    ...(error.reason ? { reason: error.reason } : {}),
  };
}

/**
 * RFC 6750's challenge for an UNAUTHORIZED answer: a request without a token gets the bare
 * scheme and realm (no error code, as section 3.1 asks); a refused token gets
 * `error="invalid_token"`, its description saying whether it merely expired.
 */
export function bearerChallenge(error: AppError): string | undefined {
  if (error.code !== 'UNAUTHORIZED') return undefined;
  const realm = 'Bearer realm="chat-backend"';
  if (error.reason === 'missing_token') return realm;
  const description =
    error.reason === 'token_expired'
      ? 'The access token expired'
      : 'The token is invalid, revoked or expired';
  return `${realm}, error="invalid_token", error_description="${description}"`;
}

function errorHeaders(error: AppError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(error.retryAfterSeconds);
  }
  const challenge = bearerChallenge(error);
  if (challenge !== undefined) headers['WWW-Authenticate'] = challenge;
  if (error.allow !== undefined) headers.Allow = error.allow.join(', ');
  return headers;
}

/**
 * Turns any error into the contract's `{error, code, details?}` body, in the request's
 * language, as an exposed HTTP error that @middy/http-error-handler then renders.
 * Internal details are logged with the request id, never returned.
 */
export function errorMapper(): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  return {
    onError: (request) => {
      if (request.response !== undefined) return;
      const error = toAppError(request.error);
      reportFailure(error);
      const body = errorBody(error, responseLanguage(request.context));
      request.error = Object.assign(new Error(JSON.stringify(body)), {
        statusCode: error.status,
        expose: true,
        headers: errorHeaders(error),
      });
    },
  };
}

/**
 * The official @middy/http-error-handler, rendering what errorMapper made. Its own fallback
 * (the contract's INTERNAL_ERROR body) is reached only if the mapper itself failed. Use both:
 * `.use(errorHandler()).use(errorMapper())`.
 */
export function errorHandler() {
  return httpErrorHandler({
    logger: false,
    fallbackMessage: JSON.stringify({
      error: errorTexts.INTERNAL_ERROR.zh,
      code: 'INTERNAL_ERROR',
    }),
  });
}
