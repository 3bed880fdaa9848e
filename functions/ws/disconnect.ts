import { forgetConnection } from '../../lib/realtime/connections';
import { wsRoute } from '../../lib/ws/handler';

/** $disconnect: the connection ended (either side closed it); stop pushing to it. */
export const handler = wsRoute({
  connection: false,
  handle: async ({ connectionId }) => {
    await forgetConnection(connectionId);
    return undefined;
  },
});
