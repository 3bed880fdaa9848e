import type middy from '@middy/core';
import type { HttpContext, HttpEvent, HttpResult } from '../types';
import { addVary } from './cors';

const defaults = {
  /**
   * Whether successful answers are private too. Public documents (the API reference, its
   * files) set their own caching and leave this off: only their errors are private.
   */
  successes: true,
};

/**
 * Every answer is private to its caller (tokens, profiles, messages) and its text depends
 * on Accept-Language: never cache it, and say what it varies on. Runs on success and
 * error responses alike (after @middy/http-error-handler has rendered an error).
 */
export function privateResponseHeaders(
  options: Partial<typeof defaults> = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const { successes } = { ...defaults, ...options };
  const apply = (request: middy.Request<HttpEvent, HttpResult, Error, HttpContext>) => {
    const response = request.response;
    if (response === undefined || response === null) return;
    const headers = (response.headers ??= {});
    headers['Cache-Control'] = 'no-store';
    addVary(headers, 'Accept-Language');
  };
  return successes ? { after: apply, onError: apply } : { onError: apply };
}
