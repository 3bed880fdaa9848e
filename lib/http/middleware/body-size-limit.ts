import type middy from '@middy/core';
import { AppError } from '../../errors';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

const defaults = {
  /** The contract's limit: 64 KiB of body, measured in bytes after base64 decoding. */
  maxBytes: 64 * 1024,
};

/** Rejects oversized bodies with 413 PAYLOAD_TOO_LARGE before anything parses them. */
export function bodySizeLimit(
  options: Partial<typeof defaults> = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const { maxBytes } = { ...defaults, ...options };
  return {
    before: (request) => {
      const { body, isBase64Encoded } = request.event;
      if (typeof body !== 'string') return;
      const bytes = isBase64Encoded
        ? Buffer.byteLength(body, 'base64')
        : Buffer.byteLength(body, 'utf8');
      if (bytes > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE');
    },
  };
}
