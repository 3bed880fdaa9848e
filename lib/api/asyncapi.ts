import type * as z from 'zod';
import { errorStatus, type ErrorCode } from '../errors';
import { errorTexts } from '../http/messages';
import { serverEvents, type ServerEventType } from '../realtime/events';
import type { FrameRouteChecks } from '../ws/handler';
import type { WsConnectDoc, WsRouteDoc } from './endpoint';
import { eventExamples } from './examples';
import { namedJsonSchemas, type Json } from './json-schema';
import { ErrorBody, FieldProblem, Friend, Message } from './schemas';

/** A WebSocket frame route, as functions/ws/*.ts exports it. */
export interface WsRouteModule {
  frameSchema: z.ZodType;
  api: WsRouteDoc;
  handler: { readonly checks?: FrameRouteChecks };
}

export interface WsModules {
  connect: { api: WsConnectDoc };
  /** The routes of client frames, selected by their `action`. */
  routes: readonly WsRouteModule[];
  /** $default: every frame no route took. */
  fallback: WsRouteModule;
}

const schemaRef = (name: string) => `#/components/schemas/${name}`;
const channel = 'connection';
const channelRef = { $ref: `#/channels/${channel}` };
const messageRef = (key: string) => ({ $ref: `#/channels/${channel}/messages/${key}` });

const pascal = (words: string) =>
  words
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');

/** The codes a frame route answers: its stack's (the frame's JSON, size and schema; the stored connection; a bug) and its own. */
export function frameErrorCodes({ api, handler }: WsRouteModule): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  if (handler.checks?.frame) {
    for (const code of ['INVALID_JSON', 'VALIDATION_ERROR', 'PAYLOAD_TOO_LARGE'] as const)
      codes.add(code);
  }
  if (handler.checks?.connection) codes.add('UNAUTHORIZED');
  for (const code of api.errors) codes.add(code);
  codes.add('INTERNAL_ERROR');
  if (handler.checks?.connection) codes.add('SERVICE_UNAVAILABLE');
  return [...codes];
}

/** A route's `action`: the literal its frame schema requires. */
function actionOf(route: WsRouteModule): string {
  const action = (route.frameSchema as { shape?: { action?: { value?: unknown } } }).shape?.action
    ?.value;
  if (typeof action !== 'string') throw new Error('a frame route must require a literal action');
  return action;
}

const codeList = (codes: readonly ErrorCode[]) =>
  codes.map((code) => `\`${code}\` (${errorTexts[code].en})`).join(', ');

/**
 * The AsyncAPI 3 document of the WebSocket API, from the code the routes run: the frame
 * schemas of functions/ws/*.ts and the server events of lib/realtime/events.ts. Its
 * `servers` depend on the deployment: ./asyncapi-server.ts adds them when it is served.
 */
export function asyncApiDocument(
  { connect, routes, fallback }: WsModules,
  { version }: { version: string },
): Json {
  const eventKey = (type: ServerEventType) => type;
  const eventSchemaName = (type: ServerEventType) => `${pascal(type)}Event`;
  const clientKey = (route: WsRouteModule) => `client${pascal(actionOf(route))}`;
  const frameSchemaName = (route: WsRouteModule) => `${pascal(actionOf(route))}Frame`;

  const options = { target: 'draft-07', uri: schemaRef } as const;
  const schemas = {
    ...namedJsonSchemas(
      {
        Message,
        Friend,
        FieldProblem,
        Error: ErrorBody,
        ...Object.fromEntries(
          serverEvents.map((event) => [eventSchemaName(event.shape.type.value), event]),
        ),
      },
      { ...options, io: 'output' },
    ),
    ...namedJsonSchemas(
      Object.fromEntries(routes.map((route) => [frameSchemaName(route), route.frameSchema])),
      { ...options, io: 'input' },
    ),
  };

  const messages: Record<string, Json> = {};
  for (const event of serverEvents) {
    const type = event.shape.type.value;
    messages[eventKey(type)] = {
      name: type,
      title: `${type} (server)`,
      summary: event.meta()?.description,
      contentType: 'application/json',
      payload: { $ref: schemaRef(eventSchemaName(type)) },
      examples: [{ name: type, payload: eventExamples[type] }],
    };
  }
  for (const route of routes) {
    const action = actionOf(route);
    messages[clientKey(route)] = {
      name: action,
      title: `${action} (client)`,
      summary: route.api.summary,
      ...(route.api.description ? { description: route.api.description } : {}),
      contentType: 'application/json',
      payload: { $ref: schemaRef(frameSchemaName(route)) },
      ...(route.api.example ? { examples: [{ name: action, payload: route.api.example }] } : {}),
    };
  }

  const operations: Record<string, Json> = {};
  for (const route of routes) {
    const codes = frameErrorCodes(route);
    const replies = [...route.api.replies, 'error' as const];
    operations[`send${pascal(actionOf(route))}`] = {
      action: 'send',
      channel: channelRef,
      summary: route.api.summary,
      description: [
        route.api.description,
        `Answered on the same connection with ${replies.map((type) => `\`${type}\``).join(' or ')}; \`error\` codes: ${codeList(codes)}.`,
      ]
        .filter(Boolean)
        .join('\n\n'),
      messages: [messageRef(clientKey(route))],
      reply: { channel: channelRef, messages: replies.map((type) => messageRef(eventKey(type))) },
    };
  }
  const answers = new Set<string>(routes.flatMap((route) => route.api.replies));
  for (const event of serverEvents) {
    const type = event.shape.type.value;
    if (answers.has(type) || type === 'error') continue;
    operations[`receive${pascal(type)}`] = {
      action: 'receive',
      channel: channelRef,
      summary: event.meta()?.description,
      messages: [messageRef(eventKey(type))],
    };
  }

  const refusals = connect.api.errors
    .map((code) => `${errorStatus[code]} (\`${code}\`: ${errorTexts[code].en})`)
    .join(', ');
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'chat-backend WebSocket API',
      version,
      description: [
        'Live events of the chat service: new messages, read receipts, recalls, typing and friend changes, pushed as they are committed, instead of polling. The HTTP API is described by the [OpenAPI document](openapi.json) and the [interactive reference](docs).',
        `**Connect** to the server below. ${connect.api.description} Refusals: ${refusals}.`,
        '**Frames** are JSON text. The client sends `{"action": ...}` frames (routed by `action`); the server sends `{"type": ..., "data": ...}` frames. ' +
          `${fallback.api.description} \`error\` codes of such frames: ${codeList(frameErrorCodes(fallback))}.`,
        '**Delivery** is best effort: a client that reconnects catches up with `GET /api/message/updates?after_id=<the last message id it has>`.',
      ].join('\n\n'),
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    channels: {
      [channel]: {
        title: 'The connection',
        description:
          'One WebSocket connection per client: every frame of either side travels on it.',
        messages: Object.fromEntries(
          Object.keys(messages).map((key) => [key, { $ref: `#/components/messages/${key}` }]),
        ),
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: {
                token: {
                  type: 'string',
                  description:
                    'An access token (browsers cannot set headers on a WebSocket). Or send `Authorization`.',
                },
              },
            },
            headers: {
              type: 'object',
              properties: {
                Authorization: {
                  type: 'string',
                  description: '`Bearer <access_token>`, when there is no `token` parameter.',
                },
                'Accept-Language': {
                  type: 'string',
                  description: "The language of the connection's `error` texts.",
                },
              },
            },
            bindingVersion: '0.1.0',
          },
        },
      },
    },
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        token: {
          type: 'httpApiKey',
          in: 'query',
          name: 'token',
          description: 'The `access_token` of the HTTP API, as `?token=`.',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The `access_token` of the HTTP API, as `Authorization: Bearer <token>`.',
        },
      },
    },
  };
}
