import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { z } from 'zod';
import type { ConnectionRow } from '../db/schema';
import { deadlinePlugin } from '../http/deadline';
import { warnAboutConfiguration } from '../http/handler';
import { languageNegotiation, responseLanguage } from '../http/language';
import type { Language } from '../http/messages';
import { logger } from '../logger';
import { runtimeSecrets } from '../secrets/middleware';
import type { ServerEvent } from '../realtime/events';
import type { Caller } from '../users';
import { wsConnectResponse } from './middleware/ws-connect-response';
import { wsConnection } from './middleware/ws-connection';
import { wsFrameParser } from './middleware/ws-frame-parser';
import { wsFrameValidator } from './middleware/ws-frame-validator';
import { frameResult, wsResponse } from './middleware/ws-response';
import { wsTokenAuth } from './middleware/ws-token-auth';
import type { WsContext, WsEvent, WsResult } from './types';

export type WsHandler = middy.MiddyfiedHandler<WsEvent, WsResult, Error, WsContext>;

/** What a frame route's stack checks, kept on its handler for the API reference (lib/api/asyncapi.ts). */
export interface FrameRouteChecks {
  frame: z.ZodType | undefined;
  connection: boolean;
}

export type FrameRouteHandler = WsHandler & { readonly checks: FrameRouteChecks };

/** The client frames the API routes (route selection on `$request.body.action`). */
export const clientActions = ['ping', 'typing'] as const;

export interface ConnectInput {
  connectionId: string;
  caller: Caller;
  /** Negotiated from the handshake's Accept-Language: the connection's error-frame language. */
  language: Language;
}

/**
 * The $connect stack: request-id logging, the secrets of deployed stages, header normalization, language negotiation, the
 * access-token check, and an answer whose status lets the handshake through (200) or
 * refuses it (401, 503…).
 */
export function wsConnectRoute(handle: (input: ConnectInput) => Promise<void>): WsHandler {
  warnAboutConfiguration();
  return middy<WsEvent, WsResult, Error, WsContext>(deadlinePlugin)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(runtimeSecrets())
    .use(httpHeaderNormalizer())
    .use(languageNegotiation())
    .use(wsConnectResponse())
    .use(wsTokenAuth())
    .handler(async (event, context) => {
      if (!event.auth) throw new Error('wsTokenAuth middleware did not run');
      await handle({
        connectionId: event.requestContext.connectionId,
        caller: event.auth,
        language: responseLanguage(context),
      });
      return { statusCode: 200 };
    });
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface FrameInput<S, C extends boolean> {
  connectionId: string;
  frame: Parsed<S>;
  /** The stored connection (its user and language), when the route asked for it. */
  connection: C extends true ? ConnectionRow : undefined;
}

export interface FrameRoute<S extends z.ZodType | undefined, C extends boolean> {
  /** The frame's schema: it is parsed as JSON and validated. Omitted: no body is read. */
  frame?: S;
  /** Whether the route needs to know who is on the connection (one primary-key read). */
  connection: C;
  /** Returns the frame to answer with, if any. */
  handle: (input: FrameInput<S, C>) => Promise<ServerEvent | undefined>;
}

/**
 * The stack of every other route ($disconnect and the client frames): request-id logging,
 * the stored connection (who, which language), frame parsing and zod validation, and the
 * route response: the handler's frame, or an `error` frame with the HTTP stack's codes
 * and texts.
 */
export function wsRoute<S extends z.ZodType | undefined, C extends boolean>(
  route: FrameRoute<S, C>,
): FrameRouteHandler {
  warnAboutConfiguration();
  const stack = middy<WsEvent, WsResult, Error, WsContext>(deadlinePlugin)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(wsResponse())
    // After wsResponse, so a failed load is answered with an error frame.
    .use(runtimeSecrets());
  if (route.connection) stack.use(wsConnection());
  if (route.frame) stack.use([wsFrameParser(), wsFrameValidator(route.frame)]);
  const handler: WsHandler = stack.handler(async (event) => {
    // The middlewares above have set what the route's options promise.
    const input = {
      connectionId: event.requestContext.connectionId,
      frame: event.frame,
      connection: event.connection,
    } as FrameInput<S, C>;
    return frameResult(await route.handle(input));
  });
  return Object.assign(handler, {
    checks: { frame: route.frame, connection: route.connection },
  });
}
