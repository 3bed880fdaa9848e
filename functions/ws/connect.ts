import { openConnection } from '../../lib/realtime/connections';
import { wsConnectRoute } from '../../lib/ws/handler';

/**
 * $connect: the handshake carries an access token (`?token=` or `Authorization: Bearer`);
 * a valid one stores the connection, anything else refuses the handshake with 401.
 */
export const handler = wsConnectRoute(async ({ connectionId, caller, language }) => {
  await openConnection({ connectionId, caller, language });
});
