import type { WsConnectDoc } from '../../lib/api/endpoint';
import { openConnection } from '../../lib/realtime/connections';
import { wsConnectRoute } from '../../lib/ws/handler';

export const api: WsConnectDoc = {
  description:
    "Connect with an access token, as the `token` query parameter (browsers cannot set headers on a WebSocket) or an `Authorization: Bearer` header. A missing, malformed, expired or revoked token refuses the handshake with HTTP 401, and nothing is stored; 503 when the database does not answer. The handshake's `Accept-Language` picks the language of the connection's `error` texts. Logout, a password change and refresh-token reuse close the login's connections.",
  errors: ['UNAUTHORIZED', 'SERVICE_UNAVAILABLE'],
};

/**
 * $connect: the handshake carries an access token (`?token=` or `Authorization: Bearer`);
 * a valid one stores the connection, anything else refuses the handshake with 401.
 */
export const handler = wsConnectRoute(async ({ connectionId, caller, language }) => {
  await openConnection({ connectionId, caller, language });
});
