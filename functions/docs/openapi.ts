import type { ApiEndpoint } from '../../lib/api/endpoint';
import { documentEndpoint } from '../../lib/http/document';
import { shippedFile } from '../../lib/http/static';

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/openapi.json',
  tag: 'Reference',
  summary: 'This HTTP API as OpenAPI 3.1',
  description:
    "Generated from the endpoints' own schemas; client generators and API tools import it.",
  document: { description: 'The OpenAPI 3.1 document.', contentTypes: ['application/json'] },
};

/** GET /api/openapi.json: the document `npm run openapi` wrote, shipped beside this function. */
export const handler = documentEndpoint(() => ({
  body: shippedFile('openapi.json'),
  contentType: 'application/json; charset=utf-8',
  cacheControl: 'no-cache',
}));
