import { AppError } from '../../lib/errors';
import { routeFor, routesOf, type Route } from '../../lib/http/routes';
import type { LambdaHandler } from '../../lib/http/handler';
import { httpStack } from '../../lib/http/stack';
import { shippedFile } from '../../lib/http/static';
import type { HttpResult } from '../../lib/http/types';

let routes: Route[] | undefined;

/** The API's routes, from the OpenAPI document shipped beside this function. */
function knownRoutes(): Route[] {
  routes ??= routesOf(JSON.parse(shippedFile('openapi.json').toString('utf8')));
  return routes;
}

/**
 * The HTTP API's `$default` route: every request no other route takes, answered in the
 * contract's shape with the usual headers: `405 METHOD_NOT_ALLOWED` with `Allow` when the
 * path exists under other methods, `404 NOT_FOUND` otherwise. A CORS preflight gets `204`
 * (deployed, API Gateway answers preflights itself; this is for local runs).
 */
export const handler: LambdaHandler = httpStack().handler(async (event): Promise<HttpResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  if (method === 'OPTIONS') return { statusCode: 204 };
  const route = routeFor(knownRoutes(), event.rawPath);
  if (route === undefined) throw new AppError('NOT_FOUND');
  throw new AppError('METHOD_NOT_ALLOWED', undefined, { allow: route.methods });
});
