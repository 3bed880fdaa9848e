import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Caller } from '../users';

/** An API Gateway HTTP API event as it travels through the middleware stack. */
export interface HttpEvent extends Omit<APIGatewayProxyEventV2, 'body'> {
  /** The raw body string until the JSON body parser replaces it with the parsed value. */
  body?: unknown;
  /** Set by the request validator: the parsed, typed request. */
  validated?: { body: unknown; query: unknown };
  /** Set by the JWT auth middleware. */
  auth?: Caller;
}

/** The Lambda context, plus what @middy/http-content-negotiation adds. */
export interface HttpContext extends Context {
  preferredLanguage?: string;
}

export type HttpResult = APIGatewayProxyStructuredResultV2;
