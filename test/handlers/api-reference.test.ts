import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Parser } from '@asyncapi/parser';
import Ajv2020 from 'ajv/dist/2020';
import { withServer } from '../../lib/api/asyncapi-server';
import { successTexts } from '../../lib/http/messages';
import {
  asyncApi,
  documentText,
  httpEndpoints,
  openApi,
  wsModules,
} from '../../scripts/api-reference';
import { AsyncApiChecker, OpenApiChecker } from '../helpers/api-reference';

/**
 * The generated API reference: valid OpenAPI 3.1 and AsyncAPI 3, the same routes as
 * serverless.yml, examples that match their own schemas, and the committed documents
 * (openapi.json, asyncapi.json) up to date with the code.
 */

jest.setTimeout(60_000);

const projectRoot = join(__dirname, '../..');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- documents

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function asyncApiDiagnostics(document: unknown) {
  const { diagnostics } = await new Parser().parse(JSON.stringify(document));
  // 0: error, 1: warning (2 and 3 are information and hints, e.g. "3.1.0 is out").
  return diagnostics
    .filter((diagnostic) => diagnostic.severity <= 1)
    .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
}

describe('the committed documents', () => {
  it.each([
    ['openapi.json', openApi],
    ['asyncapi.json', asyncApi],
  ])('%s is what `npm run openapi` generates from the code', (file, generate) => {
    const committed = readFileSync(join(projectRoot, file), 'utf8');
    // On failure: run `npm run openapi` and commit the result.
    expect(committed === documentText(generate())).toBe(true);
  });
});

describe('OpenAPI', () => {
  const document: Json = openApi();

  it('is a valid OpenAPI 3.1 document (swagger-parser)', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    expect(document.openapi).toBe('3.1.0');
  });

  it('has only valid JSON Schema 2020-12 schemas', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      expect([name, ajv.validateSchema(schema as object) && null, ajv.errors ?? null]).toEqual([
        name,
        null,
        null,
      ]);
    }
  });

  it('lists each HTTP route of serverless.yml, and nothing else', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(projectRoot, 'node_modules/serverless/bin/serverless.js'),
        'print',
        '--stage',
        'ci',
        '--format',
        'json',
      ],
      {
        cwd: projectRoot,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      },
    );
    const config = JSON.parse(stdout) as { functions: Record<string, { events?: Json[] }> };
    const routes = Object.values(config.functions)
      .flatMap((fn) => fn.events ?? [])
      // The catch-all (`httpApi: '*'`, functions/system/fallback.ts) is no endpoint.
      .filter((event) => 'httpApi' in event && event.httpApi !== '*')
      .map((event) => `${String(event.httpApi.method).toUpperCase()} ${event.httpApi.path}`)
      .sort();
    const documented = Object.entries(document.paths as Record<string, Json>)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((key) => methods.includes(key))
          .map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(routes.length).toBeGreaterThan(25);
    expect(routes).toContain('GET /api/message/updates');
    expect(routes).toContain('POST /api/friend/block');
    expect(documented).toEqual(routes);

    // The WebSocket routes that take client frames are the AsyncAPI document's `send` operations.
    const frameRoutes = Object.values(config.functions)
      .flatMap((fn) => fn.events ?? [])
      .filter((event) => 'websocket' in event)
      .map((event) => String(event.websocket.route ?? event.websocket))
      .filter((route) => !route.startsWith('$'))
      .sort();
    const sent = Object.values(asyncApi().operations as Record<string, Json>)
      .filter((operation) => operation.action === 'send')
      .map((operation) => {
        const [ref] = operation.messages as { $ref: string }[];
        const key = String(ref?.$ref).split('/').pop() as string;
        return (asyncApi().components as Json).messages[key].name as string;
      })
      .sort();
    expect(sent).toEqual(frameRoutes);
  });

  it('documents every request body with its limits, from the zod schemas', () => {
    const schemas = document.components.schemas;
    expect(schemas.MessageSendRequest.properties.content).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 5000,
    });
    expect(schemas.AuthRegisterRequest.properties.email).toMatchObject({
      maxLength: 254,
      format: 'email',
    });
    expect(schemas.AuthRegisterRequest.properties.password).toMatchObject({ minLength: 8 });
    expect(schemas.MessageChatSettingsRequest.anyOf).toEqual([
      { required: ['pinned'] },
      { required: ['muted'] },
      { required: ['hidden'] },
    ]);
    const updates = document.paths['/api/message/updates'].get.parameters as Json[];
    expect(updates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'after_id',
          in: 'query',
          required: true,
          schema: { type: 'integer', minimum: 0 },
        }),
        expect.objectContaining({
          name: 'limit',
          required: false,
          schema: expect.objectContaining({ minimum: 1, maximum: 500, default: 100 }),
        }),
      ]),
    );
  });

  it('gives every endpoint its errors with their statuses, its token and its rate limit', () => {
    const post = (path: string) => document.paths[path].post;
    expect(Object.keys(post('/api/auth/register').responses).sort()).toEqual(
      ['201', '400', '409', '413', '415', '429', '500', '503'].sort(),
    );
    expect(post('/api/auth/register').security).toEqual([]);
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const send = post('/api/message/send');
    expect(send.security).toBeUndefined();
    expect(Object.keys(send.responses).sort()).toEqual(
      ['200', '201', '400', '401', '403', '404', '413', '415', '429', '500', '503'].sort(),
    );
    expect(send.responses['403'].content['application/json'].schema.allOf[1]).toEqual({
      properties: { code: { enum: ['NOT_FRIENDS', 'BLOCKED'] } },
    });
    expect(send.responses['429'].headers).toEqual({
      'Retry-After': { $ref: '#/components/headers/RetryAfter' },
    });
    expect(send.responses['401']).toEqual({ $ref: '#/components/responses/UNAUTHORIZED' });
  });

  it('has examples that match their own schemas', () => {
    const checker = new OpenApiChecker();
    const problems: string[] = [];
    for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses as Json)) {
          const content = response.content?.['application/json'];
          if (!content) continue;
          const pointer = checker.responseSchemaPointer(method, path, Number(status));
          const examples = [
            ...(content.example === undefined ? [] : [content.example]),
            ...Object.values((content.examples ?? {}) as Json).map((example) => example.value),
          ];
          for (const example of examples) {
            problems.push(
              ...checker
                .validate(pointer as string, example)
                .map((problem) => `${method} ${path} ${status}: ${problem}`),
            );
          }
        }
        const body = operation.requestBody?.content['application/json'];
        if (body?.example !== undefined) {
          problems.push(
            ...checker
              .validate(
                `/paths/${path.replace(/\//g, '~1')}/${method}/requestBody/content/application~1json/schema`,
                body.example,
              )
              .map((problem) => `${method} ${path} request: ${problem}`),
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("shows each success's own text as its example message", () => {
    for (const { api } of httpEndpoints) {
      if (!('success' in api)) continue;
      for (const success of [api.success].flat()) {
        const response =
          document.paths[api.path][api.method.toLowerCase()].responses[success.status];
        expect(response.content['application/json'].example.message).toBe(
          successTexts[success.message].zh,
        );
      }
    }
  });
});

describe('AsyncAPI', () => {
  it('is a valid AsyncAPI 3 document (@asyncapi/parser), with and without a server', async () => {
    const document = asyncApi();
    expect(document.asyncapi).toBe('3.0.0');
    await expect(asyncApiDiagnostics(document)).resolves.toEqual([]);
    const served = withServer(document, 'wss://abc123.execute-api.us-east-1.amazonaws.com/dev');
    expect(served.servers).toEqual({
      websocket: expect.objectContaining({
        host: 'abc123.execute-api.us-east-1.amazonaws.com',
        protocol: 'wss',
        pathname: '/dev',
      }),
    });
    await expect(asyncApiDiagnostics(served)).resolves.toEqual([]);
    const local = withServer(document, 'ws://localhost:3001');
    expect(local.servers).toEqual({
      websocket: expect.objectContaining({ host: 'localhost:3001', protocol: 'ws' }),
    });
    await expect(asyncApiDiagnostics(local)).resolves.toEqual([]);
  });

  it('documents every client frame and server event, with examples that match', () => {
    const checker = new AsyncApiChecker();
    const messages = checker.document.components.messages as Record<string, Json>;
    expect(Object.keys(messages).sort()).toEqual(
      [
        'clientPing',
        'clientTyping',
        'error',
        'friend.added',
        'friend.removed',
        'message.new',
        'message.read',
        'message.recalled',
        'pong',
        'typing',
      ].sort(),
    );
    const problems = Object.entries(messages).flatMap(([key, message]) =>
      (message.examples as { payload: unknown }[]).flatMap((example) =>
        checker.problems(key, example.payload),
      ),
    );
    expect(problems).toEqual([]);
    // The frames' schemas are the routes' own.
    expect(wsModules.routes.map((route) => route.api.summary)).toEqual([
      messages.clientPing?.summary,
      messages.clientTyping?.summary,
    ]);
  });
});
