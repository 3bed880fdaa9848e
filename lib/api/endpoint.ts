import type { z } from 'zod';
import type { ErrorCode } from '../errors';
import type { SuccessKey } from '../http/messages';
import type { ServerEventType } from '../realtime/events';

/**
 * What the API reference says about an endpoint beyond what its code already tells: each
 * function in functions/ exports one as `api`, beside its `requestSchema`. The reference
 * (lib/api/openapi.ts) takes the rest from the code itself: the request schemas and whether
 * the endpoint needs a token from its handler (`checks`, set by httpEndpoint), the errors of
 * the middleware stack from the same, statuses from lib/errors.ts, texts from
 * lib/http/messages.ts, the objects from lib/api/schemas.ts.
 */

/** The groups of endpoints, in the reference's order. */
export const apiTags = {
  Accounts: 'Accounts, sign-in and tokens.',
  Friends: 'Friends, search and blocks.',
  Messages: 'Messages, the chat list, read state, catch-up and chat management.',
  System: 'Service health.',
  Reference:
    'This reference (the OpenAPI and AsyncAPI documents and this page) and the try-it chat page.',
} as const;
export type ApiTag = keyof typeof apiTags;

/** A success answer: the contract's `{message, data}` envelope. */
export interface ApiSuccess {
  status: 200 | 201;
  /** When this answer is given (the response's description). */
  description: string;
  /** The success text's key, as the handler answers it (lib/http/messages.ts). */
  message: SuccessKey;
  /** The schema of `data`. */
  data: z.ZodType;
  /** An example of `data`. */
  example: unknown;
}

/** An answer that is not the envelope: the reference documents and the page's files. */
export interface ApiDocument {
  description: string;
  contentTypes: readonly string[];
  /** Whether a request can name something that is not there (404). */
  notFound?: string;
}

interface ApiEndpointBase {
  method: 'GET' | 'POST';
  /** As in serverless.yml (a test checks that both list the same routes). */
  path: `/${string}`;
  tag: ApiTag;
  summary: string;
  /** Markdown: the rules a caller needs beyond the schemas. */
  description?: string;
  /** The codes this endpoint's own logic can answer; the stack's (token, body, query, 5xx) are added. */
  errors?: readonly ErrorCode[];
  /** What counts against a rate limit here: the endpoint may answer 429 with `Retry-After`. */
  rateLimit?: string;
  /** An example request, shown (and filled in by "Try it out") in the interactive reference. */
  requestExample?: { body?: Record<string, unknown>; query?: Record<string, string | number> };
  /** Path parameters, as a zod object (`{file}`). */
  pathParameters?: z.ZodObject;
}

export type ApiEndpoint = ApiEndpointBase &
  ({ success: ApiSuccess | readonly ApiSuccess[] } | { document: ApiDocument });

/** What the AsyncAPI document says about a WebSocket route beyond its frame schema. */
export interface WsRouteDoc {
  summary: string;
  description?: string;
  /** The events this route answers with on the same connection. */
  replies: readonly ServerEventType[];
  /** The codes of the `error` frames its own logic answers; the stack's (frame, connection) are added. */
  errors: readonly ErrorCode[];
  /** An example frame. */
  example?: Record<string, unknown>;
}

/** The handshake ($connect): what refuses it. */
export interface WsConnectDoc {
  description: string;
  errors: readonly ErrorCode[];
}
