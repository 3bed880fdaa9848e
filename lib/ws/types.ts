import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import type { ConnectionRow } from '../db/schema';
import type { Caller } from '../users';

/**
 * An API Gateway WebSocket event ($connect, $disconnect or a frame's route) as it travels
 * through the WebSocket middleware stack.
 */
export interface WsEvent extends Omit<
  APIGatewayProxyWebsocketEventV2,
  'body' | 'queryStringParameters' | 'headers'
> {
  /** $connect only: the handshake's headers and query string. */
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  /** The frame's text until the frame parser replaces it with the parsed JSON. */
  body?: unknown;
  /** Set by the frame validator: the parsed, typed frame. */
  frame?: unknown;
  /** $connect: set by the token check, the caller the access token speaks for. */
  auth?: Caller;
  /** Frames: set by wsConnection, the stored connection the frame came on. */
  connection?: ConnectionRow;
}

/** The Lambda context, plus the negotiated language (@middy/http-content-negotiation, wsConnection). */
export interface WsContext extends Context {
  preferredLanguage?: string;
}

/**
 * What a WebSocket route answers. On $connect a non-2xx status refuses the handshake; on
 * a frame's route, a body is sent back to that connection as one frame (route responses).
 */
export interface WsResult {
  statusCode: number;
  /** $connect only: e.g. the `WWW-Authenticate` challenge of a refused handshake. */
  headers?: Record<string, string>;
  body?: string;
}
