import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { LambdaHandler } from '../../lib/http/handler';
import type { HttpEvent } from '../../lib/http/types';

export interface InvokeOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  path?: string;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  token?: string;
  isBase64Encoded?: boolean;
  /** The client address API Gateway saw (default 127.0.0.1). */
  sourceIp?: string;
}

export interface InvokeResult {
  status: number;
  headers: Record<string, string>;
  // Tests inspect arbitrary JSON; each assertion narrows what it reads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  rawBody: string;
}

/** Builds an API Gateway HTTP API (v2) event, as Lambda receives it. */
export function httpEvent(options: InvokeOptions = {}): HttpEvent {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const path = options.path ?? '/api/test';
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  Object.assign(headers, options.headers);
  const query = options.query;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers,
    queryStringParameters: query,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '127.0.0.1',
        userAgent: 'jest',
      },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body:
      options.body === undefined || typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

export function lambdaContext(): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'chat-backend-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:chat-backend-test',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/chat-backend-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Invokes a Middy-wrapped handler in process, as Lambda would, and parses its JSON answer. */
export async function invoke(
  handler: LambdaHandler,
  options: InvokeOptions = {},
): Promise<InvokeResult> {
  const result = await handler(httpEvent(options), lambdaContext());
  const rawBody = typeof result.body === 'string' ? result.body : '';
  let body: unknown = undefined;
  try {
    body = rawBody === '' ? undefined : JSON.parse(rawBody);
  } catch {
    body = rawBody;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  return { status: result.statusCode ?? 200, headers, body, rawBody };
}
