import type middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { z } from 'zod';
import { getConfig, requireJwtSecret } from '../config';
import type { Caller } from '../users';
import { logger } from '../logger';
import { responseLanguage } from './language';
import { successTexts, type Language, type SuccessKey } from './messages';
import { bodySizeLimit } from './middleware/body-size-limit';
import { jwtAuth } from './middleware/jwt-auth';
import { mediaTypeNormalizer } from './middleware/media-type-normalizer';
import { requestValidator, type RequestSchema } from './middleware/request-validator';
import { httpStack } from './stack';
import type { HttpContext, HttpEvent, HttpResult } from './types';

/** What an endpoint's logic returns; the stack turns it into the contract's JSON. */
export interface Reply {
  statusCode: 200 | 201;
  message: SuccessKey;
  data: unknown;
}

export const ok = (message: SuccessKey, data: unknown): Reply => ({
  statusCode: 200,
  message,
  data,
});
export const created = (message: SuccessKey, data: unknown): Reply => ({
  statusCode: 201,
  message,
  data,
});

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RequestInput<S extends RequestSchema> {
  body: Parsed<S['body']>;
  query: Parsed<S['query']>;
  language: Language;
  /** API Gateway's source IP: the TCP peer, never a header the client could forge. */
  clientIp: string;
}

interface PublicEndpoint<S extends RequestSchema> {
  auth: false;
  schema: S;
  handle: (input: RequestInput<S>) => Promise<Reply>;
}

interface AuthenticatedEndpoint<S extends RequestSchema> {
  auth: true;
  schema: S;
  handle: (input: RequestInput<S> & Caller) => Promise<Reply>;
}

export type LambdaHandler = middy.MiddyfiedHandler<HttpEvent, HttpResult, Error, HttpContext>;

/** What an endpoint's stack checks, kept on its handler for the API reference (lib/api/openapi.ts). */
export interface EndpointChecks {
  auth: boolean;
  schema: RequestSchema;
}

export type EndpointHandler = LambdaHandler & { readonly checks: EndpointChecks };

/**
 * The one Middy stack every endpoint uses. In `before` order: request-id logging, header
 * and event normalization, language negotiation, JWT auth, body size limit, JSON body
 * parsing and validation. Responses, errors included (rendered by the error mapper and
 * the official error handler), then get CORS, security and no-store headers.
 */
export function httpEndpoint<S extends RequestSchema>(
  endpoint: PublicEndpoint<S> | AuthenticatedEndpoint<S>,
): EndpointHandler {
  warnAboutConfiguration();

  const stack = httpStack();
  if (endpoint.auth) stack.use(jwtAuth());
  if (endpoint.schema.body) {
    stack.use([bodySizeLimit(), mediaTypeNormalizer(), httpJsonBodyParser()]);
  }
  stack.use(requestValidator(endpoint.schema));

  const handler: LambdaHandler = stack.handler(async (event, context) => {
    const language = responseLanguage(context);
    // The validator has checked both against the schema S.
    const input = {
      body: event.validated?.body,
      query: event.validated?.query,
      language,
      clientIp: event.requestContext?.http?.sourceIp ?? 'unknown',
    } as RequestInput<S>;
    const reply = endpoint.auth
      ? await endpoint.handle({ ...input, ...requireCaller(event) })
      : await endpoint.handle(input);
    return {
      statusCode: reply.statusCode,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ message: successTexts[reply.message][language], data: reply.data }),
    };
  });
  return Object.assign(handler, { checks: { auth: endpoint.auth, schema: endpoint.schema } });
}

function requireCaller(event: HttpEvent): Caller {
  if (!event.auth) throw new Error('jwtAuth middleware did not run');
  return event.auth;
}

let configurationChecked = false;

/** Reads the configuration at cold start, so a bad one stops the function with a clear error. */
export function warnAboutConfiguration(): void {
  const config = getConfig();
  // A key read from SSM at run time (lib/secrets) is checked when it is loaded.
  if (config.secretParameters.jwtSecretKey === undefined) requireJwtSecret(config);
  if (configurationChecked) return;
  configurationChecked = true;
  if (config.usingDevelopmentSecret) {
    logger.warn(
      'JWT_SECRET_KEY is not set: using the built-in development secret (local use only)',
    );
  }
}
