import type { ApiEndpoint } from '../../lib/api/endpoint';
import { withServer } from '../../lib/api/asyncapi-server';
import { getConfig } from '../../lib/config';
import { documentEndpoint } from '../../lib/http/document';
import { shippedFile } from '../../lib/http/static';

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/asyncapi.json',
  tag: 'Reference',
  summary: 'The WebSocket API as AsyncAPI 3',
  description:
    'How to connect (with its URL for this deployment), the frames a client sends and every event the server pushes, with their schemas.',
  document: { description: 'The AsyncAPI 3 document.', contentTypes: ['application/json'] },
};

let document: string | undefined;

/** GET /api/asyncapi.json: the document `npm run openapi` wrote, with this deployment's server. */
export const handler = documentEndpoint(() => {
  document ??= JSON.stringify(
    withServer(
      JSON.parse(shippedFile('asyncapi.json').toString('utf8')),
      getConfig().realtime.clientUrl,
    ),
    null,
    2,
  );
  return {
    body: document,
    contentType: 'application/json; charset=utf-8',
    cacheControl: 'no-cache',
  };
});
