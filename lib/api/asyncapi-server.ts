/**
 * The AsyncAPI document's `servers`: where clients connect, which depends on the deployment
 * (WEBSOCKET_URL: `wss://…/<stage>` deployed, `ws://localhost:3001` under `npm start`).
 * Kept apart from ./asyncapi.ts so that serving the document needs none of the schemas.
 */
export function withServer(
  document: Record<string, unknown>,
  clientUrl: string | undefined,
): Record<string, unknown> {
  if (!clientUrl) return document;
  const url = new URL(clientUrl);
  const { asyncapi, info, ...rest } = document;
  return {
    asyncapi,
    info,
    servers: {
      websocket: {
        host: url.host,
        protocol: url.protocol.replace(/:$/, ''),
        ...(url.pathname === '/' ? {} : { pathname: url.pathname }),
        description: 'The WebSocket API of this deployment.',
        security: [
          { $ref: '#/components/securitySchemes/token' },
          { $ref: '#/components/securitySchemes/bearer' },
        ],
      },
    },
    ...rest,
  };
}
