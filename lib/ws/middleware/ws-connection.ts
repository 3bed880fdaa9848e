import type middy from '@middy/core';
import { AppError } from '../../errors';
import { closeConnections, findConnection } from '../../realtime/connections';
import type { WsContext, WsEvent, WsResult } from '../types';

const defaults = {
  find: findConnection,
  close: (connectionId: string) => closeConnections([connectionId]),
};

/**
 * Loads the stored connection a frame came on: who sent it, and the language negotiated
 * at connect. A connection that is no longer stored (evicted past the cap, or its login
 * revoked while a close was in flight) is closed and the frame refused as UNAUTHORIZED.
 */
export function wsConnection(
  options: Partial<typeof defaults> = {},
): middy.MiddlewareObj<WsEvent, WsResult, Error, WsContext> {
  const { find, close } = { ...defaults, ...options };
  return {
    before: async (request) => {
      const { connectionId } = request.event.requestContext;
      const connection = await find(connectionId);
      if (!connection) {
        await close(connectionId);
        throw new AppError('UNAUTHORIZED');
      }
      request.event.connection = connection;
      request.context.preferredLanguage = connection.language;
    },
  };
}
