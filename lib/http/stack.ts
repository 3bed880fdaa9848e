import middy from '@middy/core';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { getConfig } from '../config';
import { logger } from '../logger';
import { deadlinePlugin } from './deadline';
import { runtimeSecrets } from '../secrets/middleware';
import { languageNegotiation } from './language';
import { cors } from './middleware/cors';
import { errorHandler, errorMapper } from './middleware/error-mapper';
import { privateResponseHeaders } from './middleware/private-response-headers';
import type { HttpContext, HttpEvent, HttpResult } from './types';

// Its own module, apart from ./handler.ts: pages and public documents use it without
// bundling the token check, and with it the database client.
/**
 * The middlewares every HTTP function shares: its own deadline (./deadline.ts), request-id
 * logging, the secrets of deployed stages (SSM Parameter Store, lib/secrets), header and event
 * normalization, language negotiation, security headers, no-store and CORS headers, and
 * the error mapping. httpEndpoint (./handler.ts) adds auth, body parsing and validation; an HTML page
 * (./page.ts) sets its own Content-Security-Policy through `securityHeaders`; public
 * documents (./document.ts) cache their successes their own way (`publicSuccesses`).
 */
export function httpStack(
  options: { securityHeaders?: SecurityHeadersOptions; publicSuccesses?: boolean } = {},
) {
  return middy<HttpEvent, HttpResult, Error, HttpContext>(deadlinePlugin)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(runtimeSecrets())
    .use(httpHeaderNormalizer())
    .use(httpEventNormalizer())
    .use(languageNegotiation())
    .use(httpSecurityHeaders({ ...noReportingEndpoints, ...options.securityHeaders }))
    .use(privateResponseHeaders({ successes: !options.publicSuccesses }))
    .use(cors(getConfig().corsOrigins))
    .use(errorHandler())
    .use(errorMapper());
}

type SecurityHeadersOptions = Parameters<typeof httpSecurityHeaders>[0];

/**
 * No `Reporting-Endpoints`: the API names no reporting endpoint, and the library's default
 * sent the header empty on every answer. (Its typings leave this option out.)
 */
const noReportingEndpoints = { reportingEndpoints: false } as SecurityHeadersOptions;
