import type middy from '@middy/core';
import { AppError } from '../../errors';
import type { WsContext, WsEvent, WsResult } from '../types';

const defaults = {
  /** Frames larger than this are refused unread (API Gateway's own limit is 128 KiB). */
  maxBytes: 64 * 1024,
};

/**
 * Parses a frame's text as JSON into `event.body`, as @middy/http-json-body-parser does for
 * HTTP (whose WebSocket sibling is not published). Anything but a JSON object is
 * INVALID_JSON; an oversized frame, PAYLOAD_TOO_LARGE.
 */
export function wsFrameParser(
  options: Partial<typeof defaults> = {},
): middy.MiddlewareObj<WsEvent, WsResult, Error, WsContext> {
  const { maxBytes } = { ...defaults, ...options };
  return {
    before: (request) => {
      const { body, isBase64Encoded } = request.event;
      if (typeof body !== 'string') throw new AppError('INVALID_JSON');
      const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
      if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new AppError('INVALID_JSON', undefined, { cause: error });
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new AppError('INVALID_JSON');
      }
      request.event.body = parsed;
    },
  };
}
