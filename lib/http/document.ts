import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { AppError } from '../errors';
import type { LambdaHandler } from './handler';
import { httpStack } from './stack';
import type { HttpEvent, HttpResult } from './types';

/** A public document: the API reference's JSON, its page, the page's files. */
export interface PublicDocument {
  body: Buffer | string;
  contentType: string;
  /** How long browsers and proxies may keep it. */
  cacheControl: string;
  /** An HTML page's Content-Security-Policy (in place of the stack's API default). */
  contentSecurityPolicy?: string;
}

const compressible = /^(text\/|application\/(json|javascript))/;

/** A body's validator and gzipped form, computed once per body (shipped files are cached). */
const derived = new WeakMap<Buffer, { etag: string; gzipped?: Buffer }>();

function bytesOf(body: Buffer | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function derivedOf(bytes: Buffer) {
  let entry = derived.get(bytes);
  if (entry === undefined) {
    const hash = createHash('sha256').update(bytes).digest('base64url').slice(0, 27);
    entry = { etag: `"${hash}"` };
    derived.set(bytes, entry);
  }
  return entry;
}

function acceptsGzip(event: HttpEvent): boolean {
  return /\bgzip\b/i.test(event.headers?.['accept-encoding'] ?? '');
}

/**
 * Public, cacheable documents on the API's stack (httpStack): no token, no body, no
 * database. The same request-id logging, security headers (an HTML page brings its own
 * Content-Security-Policy), CORS and error answers as the API, but with the document's own
 * caching instead of the API's `no-store`, an ETag (answering `304` to `If-None-Match`) and
 * gzip when the client accepts it. `serve` returns undefined for what is not there:
 * `404 NOT_FOUND`.
 */
export function documentEndpoint(
  serve: (event: HttpEvent) => PublicDocument | undefined | Promise<PublicDocument | undefined>,
): LambdaHandler {
  return httpStack({
    securityHeaders: { contentSecurityPolicy: false },
    publicSuccesses: true,
  }).handler(async (event): Promise<HttpResult> => {
    const document = await serve(event);
    if (document === undefined) throw new AppError('NOT_FOUND');
    const bytes = bytesOf(document.body);
    const entry = derivedOf(bytes);
    const gzip = compressible.test(document.contentType) && bytes.length > 1024;
    const headers: Record<string, string> = {
      'Content-Type': document.contentType,
      'Cache-Control': document.cacheControl,
      ETag: entry.etag,
      ...(gzip ? { Vary: 'Accept-Encoding' } : {}),
      ...(document.contentSecurityPolicy
        ? { 'Content-Security-Policy': document.contentSecurityPolicy }
        : {}),
    };
    const ifNoneMatch = event.headers?.['if-none-match'];
    if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === entry.etag)) {
      return { statusCode: 304, headers };
    }
    if (gzip && acceptsGzip(event)) {
      entry.gzipped ??= gzipSync(bytes);
      return {
        statusCode: 200,
        headers: { ...headers, 'Content-Encoding': 'gzip' },
        body: entry.gzipped.toString('base64'),
        isBase64Encoded: true,
      };
    }
    const text = compressible.test(document.contentType);
    return {
      statusCode: 200,
      headers,
      body: text ? bytes.toString('utf8') : bytes.toString('base64'),
      isBase64Encoded: !text,
    };
  });
}
