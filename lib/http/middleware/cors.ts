import type middy from '@middy/core';
import httpCors from '@middy/http-cors';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

/**
 * The response headers a browser script may read besides the CORS-safelisted ones, because
 * the API tells clients to read them: `Retry-After` (429, 503), `WWW-Authenticate` (401),
 * `ETag` (the reference documents, for `If-None-Match`) and `Allow` (405). serverless.yml
 * lists the same for API Gateway, which answers CORS itself once deployed (a test compares).
 */
export const exposedHeaders = ['Retry-After', 'WWW-Authenticate', 'ETag', 'Allow'] as const;

/** Adds `value` to a comma-separated `Vary`, once. */
export function addVary(headers: Record<string, unknown>, value: string): void {
  const values = String(headers.Vary ?? headers.vary ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (!values.some((part) => part.toLowerCase() === value.toLowerCase())) values.push(value);
  delete headers.vary;
  headers.Vary = values.join(', ');
}

/**
 * @middy/http-cors with the configured origins (CORS_ORIGINS): `*` answers
 * `Access-Control-Allow-Origin: *` (auth is a bearer header, not a cookie, so any page may
 * call); a list echoes the request's Origin when it is listed (and sends none otherwise),
 * with `Vary: Origin` so caches keep one answer per origin.
 */
export function cors(
  origins: readonly string[],
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const any = origins.includes('*');
  const middleware = httpCors({
    origins: any ? ['*'] : [...origins],
    exposeHeaders: exposedHeaders.join(', '),
  }) as middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext>;
  if (any) return middleware;
  const varyOnOrigin = (request: middy.Request<HttpEvent, HttpResult, Error, HttpContext>) => {
    if (request.response) addVary((request.response.headers ??= {}), 'Origin');
  };
  return {
    after: async (request) => {
      await middleware.after?.(request);
      varyOnOrigin(request);
    },
    onError: async (request) => {
      await middleware.onError?.(request);
      varyOnOrigin(request);
    },
  };
}
