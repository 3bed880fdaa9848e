import { errorForLog, logger } from '../logger';
import { connectionsOfUsers, forgetGoneConnections } from './connections';
import type { ServerEvent } from './events';
import { callWithinDeadline, connectionGateway } from './gateway';

/** One event for every open connection of some users. */
export interface Delivery {
  to: readonly number[];
  event: ServerEvent;
}

/**
 * Pushes events to the open connections of their users: call it after the transaction that
 * made them true has committed. Every post goes out at once, within PUSH_TIMEOUT_MS
 * (callWithinDeadline); a connection the gateway reports gone is forgotten (unless it is
 * still connecting). Best effort, as the contract says: nothing here ever fails the
 * request (failures are logged).
 */
export async function publish(...deliveries: Delivery[]): Promise<void> {
  const gateway = connectionGateway();
  if (!gateway) return;
  try {
    const userIds = [...new Set(deliveries.flatMap((delivery) => delivery.to))];
    const connections = await connectionsOfUsers(userIds);
    const posts = deliveries.flatMap(({ to, event }) => {
      const frame = JSON.stringify(event);
      const targets = new Set([...new Set(to)].flatMap((user) => connections.get(user) ?? []));
      return [...targets].map((connectionId) => ({ connectionId, frame }));
    });
    if (posts.length === 0) return;

    const outcomes = await callWithinDeadline(
      gateway,
      'push incomplete',
      posts.map(
        ({ connectionId, frame }) =>
          (signal: AbortSignal) =>
            gateway.post(connectionId, frame, signal),
      ),
    );
    const gone = posts
      .filter((_, index) => {
        const outcome = outcomes[index];
        return outcome?.status === 'fulfilled' && outcome.value === 'gone';
      })
      .map((post) => post.connectionId);
    await forgetGoneConnections([...new Set(gone)]);
  } catch (error) {
    logger.warn('push failed', { error: errorForLog(error) });
  }
}
