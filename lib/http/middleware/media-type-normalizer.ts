import type middy from '@middy/core';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

/**
 * Lower-cases the media type of `Content-Type` (it is case-insensitive, RFC 9110), so
 * the JSON body parser, which matches it case-sensitively, accepts `Application/JSON`.
 * Runs after @middy/http-header-normalizer, which lower-cases header names.
 */
export function mediaTypeNormalizer(): middy.MiddlewareObj<
  HttpEvent,
  HttpResult,
  Error,
  HttpContext
> {
  return {
    before: (request) => {
      const headers = request.event.headers;
      const contentType = headers?.['content-type'];
      if (headers === undefined || contentType === undefined) return;
      const [mediaType = '', ...parameters] = contentType.split(';');
      // Empty parameters (`application/json;`) are dropped: the parser would refuse them.
      const kept = parameters.filter((parameter) => parameter.trim() !== '');
      headers['content-type'] = [mediaType.trim().toLowerCase(), ...kept].join(';');
    },
  };
}
