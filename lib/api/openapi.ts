import type { z } from 'zod';
import { loadConfig, type RateLimit } from '../config';
import { errorStatus, type ErrorCode } from '../errors';
import type { EndpointChecks, LambdaHandler } from '../http/handler';
import { errorTexts, fieldTexts, languages, successTexts } from '../http/messages';
import { serverEvents } from '../realtime/events';
import { apiTags, type ApiEndpoint, type ApiSuccess } from './endpoint';
import { inlineJsonSchema, namedJsonSchemas, type Json } from './json-schema';
import { apiComponents } from './schemas';

/** One HTTP function, as functions/**.ts exports it. */
export interface HttpEndpointModule {
  api: ApiEndpoint;
  /** httpEndpoint's handlers carry what their stack checks; the reference's own functions do not. */
  handler: LambdaHandler & { readonly checks?: EndpointChecks };
}

const schemaRef = (name: string) => `#/components/schemas/${name}`;
const ref = (name: string) => ({ $ref: schemaRef(name) });

/** `/api/auth/change_password` → `authChangePassword`. */
export function operationId(path: string): string {
  const words = path
    .replace(/^\/api\//, '')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '');
  return words
    .map((word, index) => (index === 0 ? word : word[0]?.toUpperCase() + word.slice(1)))
    .join('');
}

const pascal = (id: string) => id[0]?.toUpperCase() + id.slice(1);

function successesOf(api: ApiEndpoint): readonly ApiSuccess[] {
  if (!('success' in api)) return [];
  return Array.isArray(api.success) ? api.success : [api.success as ApiSuccess];
}

/**
 * The codes an endpoint can answer: those of its middleware stack (httpEndpoint: the token
 * check, the body's size, media type, JSON and validation, the query's validation, the
 * database every endpoint reads, a bug) and those its logic names.
 */
export function errorCodesOf({ api, handler }: HttpEndpointModule): ErrorCode[] {
  const checks = handler.checks;
  const codes = new Set<ErrorCode>();
  if (checks?.auth) codes.add('UNAUTHORIZED');
  if (checks?.schema.body) {
    for (const code of [
      'INVALID_JSON',
      'VALIDATION_ERROR',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
    ] as const)
      codes.add(code);
  }
  if (checks?.schema.query) codes.add('VALIDATION_ERROR');
  for (const code of api.errors ?? []) codes.add(code);
  if (api.rateLimit) codes.add('RATE_LIMITED');
  codes.add('INTERNAL_ERROR');
  if (checks) codes.add('SERVICE_UNAVAILABLE');
  const order = Object.keys(errorStatus);
  return [...codes].sort(
    (a, b) => errorStatus[a] - errorStatus[b] || order.indexOf(a) - order.indexOf(b),
  );
}

const objectShape = (schema: z.ZodType, where: string): Record<string, z.ZodType> => {
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error(`${where}: parameters must be a z.object`);
  return shape;
};

/** Query or path parameters, one per property of a zod object. */
function parameters(
  schema: z.ZodType,
  location: 'query' | 'path',
  examples: Record<string, unknown> = {},
): Json[] {
  const required = new Set((inlineJsonSchema(schema, 'input').required as string[]) ?? []);
  return Object.entries(objectShape(schema, location)).map(([name, property]) => {
    const { description, ...json } = inlineJsonSchema(property, 'output');
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: json,
      ...(name in examples ? { example: examples[name] } : {}),
    };
  });
}

function errorExample(code: ErrorCode, firstField: string): Json {
  return {
    error: errorTexts[code].zh,
    code,
    ...(code === 'VALIDATION_ERROR'
      ? { details: [{ field: firstField, message: fieldTexts.REQUIRED.zh }] }
      : {}),
    ...(code === 'UNAUTHORIZED' ? { reason: 'token_expired' } : {}),
  };
}

function errorResponse(codes: readonly ErrorCode[], firstField: string, rateLimit?: string): Json {
  const lines = codes.map((code) => `\`${code}\`: ${errorTexts[code].en}.`);
  if (rateLimit && codes.includes('RATE_LIMITED')) lines.push(`Counted here: ${rateLimit}`);
  return {
    description: lines.join('\n\n'),
    ...(codes.includes('RATE_LIMITED')
      ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } }
      : {}),
    ...(codes.includes('UNAUTHORIZED')
      ? { headers: { 'WWW-Authenticate': { $ref: '#/components/headers/WWWAuthenticate' } } }
      : {}),
    content: {
      'application/json': {
        schema: { allOf: [ref('Error'), { properties: { code: { enum: codes } } }] },
        examples: Object.fromEntries(
          codes.map((code) => [
            code,
            { summary: errorTexts[code].en, value: errorExample(code, firstField) },
          ]),
        ),
      },
    },
  };
}

/**
 * One response per HTTP status, its `code` narrowed to the endpoint's codes of that status.
 * A status with one code that reads the same everywhere is a shared response (`shared`).
 */
function errorResponses(
  module: HttpEndpointModule,
  firstField: string,
  shared: Record<string, Json>,
): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(module)) {
    byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => {
      const [only] = codes;
      if (codes.length === 1 && only && only !== 'RATE_LIMITED' && only !== 'VALIDATION_ERROR') {
        shared[only] ??= errorResponse(codes, firstField);
        return [String(status), { $ref: `#/components/responses/${only}` }];
      }
      return [String(status), errorResponse(codes, firstField, module.api.rateLimit)];
    }),
  );
}

const envelope = (data: Json): Json => ({
  type: 'object',
  properties: {
    message: {
      type: 'string',
      description: 'A human text: Chinese by default, English when Accept-Language prefers `en`.',
    },
    data,
  },
  required: ['message', 'data'],
  additionalProperties: false,
});

const formatLimit = ({ max, windowSeconds }: RateLimit) => `${max} per ${windowSeconds} s`;

function introduction(modules: readonly HttpEndpointModule[]): string {
  // The defaults, read from the configuration's own schema (a deployment may change them).
  const defaults = loadConfig({});
  const limits = defaults.rateLimits.limits;
  const publicPaths = modules
    .filter(({ api, handler }) => 'success' in api && handler.checks?.auth === false)
    .map(({ api }) => `\`${api.method} ${api.path}\``);
  const errorRows = (Object.keys(errorStatus) as ErrorCode[]).map(
    (code) => `| \`${code}\` | ${errorStatus[code]} | ${errorTexts[code].en} |`,
  );
  const eventRows = serverEvents.map(
    (event) => `| \`${event.shape.type.value}\` | ${event.meta()?.description ?? ''} |`,
  );
  return [
    'A one-to-one chat service: accounts and tokens, friends, messages with read state and catch-up over this HTTP API, and live events over a WebSocket, described by the [AsyncAPI document](asyncapi.json).',
    '## Conventions',
    [
      '- Bodies are JSON objects (`Content-Type: application/json`, UTF-8); unknown fields are ignored.',
      '- IDs are positive integers; in bodies and query strings they may also be strings of digits.',
      '- Timestamps are ISO-8601 UTC with milliseconds: `2026-11-24T08:15:30.123Z`.',
      '- Success: `200` (or `201` when something was created) with `{"message": "...", "data": ...}`.',
      '- Error: `{"error": "...", "code": "STABLE_CODE"}`, plus `details: [{field, message}]` for validation errors. Clients branch on `code`.',
      `- Texts are Chinese by default; \`Accept-Language\` picks one of: ${languages.map((language) => `\`${language}\``).join(', ')}.`,
      '- Every answer of the API is private to its caller: `Cache-Control: no-store`.',
    ].join('\n'),
    '## Authentication',
    `Every endpoint except ${publicPaths.join(', ')} needs \`Authorization: Bearer <access_token>\`, the \`access_token\` of register, login, refresh or change_password. It is valid for \`expires_in\` seconds; renew it with the \`refresh_token\` (each works once). Logout, a password change and the reuse of a refresh token (past a ${defaults.refreshReuseGraceSeconds} s grace window for retries) end a login at once; a user keeps at most 50 live logins. A missing, expired or revoked token: \`401 UNAUTHORIZED\` with \`WWW-Authenticate: Bearer\` and a \`reason\`: \`token_expired\` (refresh it), \`invalid_token\` (sign in again) or \`missing_token\`.`,
    '## Limits',
    "Over a rate limit the answer is `429 RATE_LIMITED` with `Retry-After`: the seconds to wait. Limits are sliding windows: no interval of a window's length lets more than its maximum through. Each endpoint says what it counts. The defaults (a deployment may change them):",
    [
      '| limit | default |',
      '| --- | --- |',
      `| login attempts, successful or not, naming one account from one client IP (login, and old-password checks at change_password) | ${formatLimit(limits.loginPerAccountIp)} |`,
      `| login attempts from one client IP | ${formatLimit(limits.loginPerIp)} |`,
      `| login attempts naming one account from anywhere (a ceiling against distributed guessing) | ${formatLimit(limits.loginPerAccount)} |`,
      `| registration attempts from one client IP | ${formatLimit(limits.registerPerIp)} |`,
      `| messages sent by one user | ${formatLimit(limits.sendPerUser)} |`,
      `| friend adds by one user (every attempt) | ${formatLimit(limits.friendAddPerUser)} |`,
      `| friend searches by one user with \`@\` in the keyword (email lookups) | ${formatLimit(limits.searchEmailPerUser)} |`,
      `| recalling a message, after it was sent | within ${defaults.recallWindowSeconds} s |`,
    ].join('\n'),
    '## Real-time',
    'Open a WebSocket to the server the [AsyncAPI document](asyncapi.json) names, with `?token=<access_token>` (or an `Authorization: Bearer` header); a bad token refuses the handshake with 401. Send `{"action": "ping"}` every few minutes (answered by `pong`) and `{"action": "typing", "to": <friend id>, "state": "start" | "stop"}`. The server sends `{"type": ..., "data": ...}` frames as changes are committed:',
    ['| event | when, and to whom |', '| --- | --- |', ...eventRows].join('\n'),
    'After a reconnect, catch up with `GET /api/message/updates`.',
    '## Error codes',
    ['| code | HTTP | meaning |', '| --- | --- | --- |', ...errorRows].join('\n'),
  ].join('\n\n');
}

/**
 * The OpenAPI 3.1 document of the HTTP API, from the endpoints' own code: their request
 * schemas and checks (httpEndpoint), their `api` descriptions, the API objects
 * (lib/api/schemas.ts), the error statuses (lib/errors.ts) and texts (lib/http/messages.ts).
 */
export function openApiDocument(
  modules: readonly HttpEndpointModule[],
  { version }: { version: string },
): Json {
  // Names: the API objects, then each endpoint's request body and answer data.
  const outputs: Record<string, z.ZodType> = { ...apiComponents };
  const inputs: Record<string, z.ZodType> = {};
  const nameOf = new Map<z.ZodType, string>(
    Object.entries(apiComponents).map(([name, schema]) => [schema, name]),
  );
  const requestNames = new Map<z.ZodType, string>();
  for (const { api, handler } of modules) {
    const id = pascal(operationId(api.path));
    const body = handler.checks?.schema.body;
    // Endpoints that share a request schema (block, unblock) share its name.
    if (body && !requestNames.has(body)) {
      inputs[`${id}Request`] = body;
      requestNames.set(body, `${id}Request`);
    }
    for (const success of successesOf(api)) {
      if (nameOf.has(success.data)) continue;
      const name = `${id}Data` in outputs ? `${id}Data${success.status}` : `${id}Data`;
      outputs[name] = success.data;
      nameOf.set(success.data, name);
    }
  }
  const options = { target: 'draft-2020-12', uri: schemaRef } as const;
  const schemas = {
    ...namedJsonSchemas(outputs, { ...options, io: 'output' }),
    ...namedJsonSchemas(inputs, { ...options, io: 'input' }),
  };

  const paths: Record<string, Record<string, Json>> = {};
  const sharedResponses: Record<string, Json> = {};
  for (const module of modules) {
    const { api, handler } = module;
    const checks = handler.checks;
    const id = operationId(api.path);
    const query = checks?.schema.query;
    const body = checks?.schema.body;
    const bodyName = body ? requestNames.get(body) : undefined;
    const firstField =
      ((bodyName ? schemas[bodyName]?.required : undefined) as string[] | undefined)?.[0] ??
      (query ? 'query' : 'body');

    const responses: Record<string, Json> = {};
    for (const success of successesOf(api)) {
      const name = nameOf.get(success.data) as string;
      responses[String(success.status)] = {
        description: success.description,
        content: {
          'application/json': {
            schema: envelope(ref(name)),
            example: { message: successTexts[success.message].zh, data: success.example },
          },
        },
      };
    }
    if ('document' in api) {
      responses['200'] = {
        description: api.document.description,
        content: Object.fromEntries(api.document.contentTypes.map((type) => [type, {}])),
      };
      if (api.document.notFound) responses['404'] = { description: api.document.notFound };
    }
    Object.assign(responses, errorResponses(module, firstField, sharedResponses));

    const operation: Json = {
      operationId: id,
      tags: [api.tag],
      summary: api.summary,
      ...(api.description || api.rateLimit
        ? {
            description: [api.description, api.rateLimit && `**Rate limit:** ${api.rateLimit}`]
              .filter(Boolean)
              .join('\n\n'),
          }
        : {}),
      ...(checks?.auth ? {} : { security: [] }),
      parameters: [
        ...(api.pathParameters ? parameters(api.pathParameters, 'path') : []),
        ...(query ? parameters(query, 'query', api.requestExample?.query) : []),
        ...('success' in api ? [{ $ref: '#/components/parameters/AcceptLanguage' }] : []),
      ],
      ...(body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: ref(bodyName as string),
                  ...(api.requestExample?.body ? { example: api.requestExample.body } : {}),
                },
              },
            },
          }
        : {}),
      responses,
    };
    const methods = (paths[api.path] ??= {});
    const method = api.method.toLowerCase();
    if (method in methods) throw new Error(`${api.method} ${api.path} is described twice`);
    methods[method] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'chat-backend API',
      version,
      summary:
        'One-to-one chat: accounts, friends, messages, read state; real-time over WebSocket.',
      description: introduction(modules),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'The `access_token` of register, login, refresh or change_password, as `Authorization: Bearer <access_token>`.',
        },
      },
      responses: sharedResponses,
      parameters: {
        AcceptLanguage: {
          name: 'Accept-Language',
          in: 'header',
          required: false,
          description:
            'The language of `message` and `error` texts: Chinese unless `en` is preferred.',
          schema: { type: 'string', examples: ['en', 'zh-CN'] },
        },
      },
      headers: {
        RetryAfter: {
          description: 'Seconds to wait before trying again.',
          schema: { type: 'integer', minimum: 1 },
        },
        WWWAuthenticate: {
          description:
            'RFC 6750: `Bearer realm="chat-backend"` when no token was sent; otherwise with `error="invalid_token"` and an `error_description` saying whether the token merely expired.',
          schema: { type: 'string' },
        },
      },
    },
  };
}
