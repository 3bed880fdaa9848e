import { randomBytes, randomUUID } from 'node:crypto';
import type { WsHandler } from '../../lib/ws/handler';
import type { WsEvent } from '../../lib/ws/types';
import { useConnectionGateway, type ConnectionGateway } from '../../lib/realtime/gateway';
import { getDb } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { lambdaContext } from './invoke';

/**
 * Makes a stored connection look opened `ms` ago: past the grace a connection still in its
 * $connect gets, so a "gone" answer forgets it.
 */
export async function ageConnection(connectionId: string, ms = 60_000): Promise<void> {
  const db = await getDb();
  await db
    .updateTable('connections')
    .set({ connected_at: toDbTimestamp(new Date(Date.now() - ms)) })
    .where('connection_id', '=', connectionId)
    .execute();
}

/** A new API Gateway-style connection id. */
export function connectionId(): string {
  return randomBytes(12).toString('base64url');
}

export interface WsInvokeOptions {
  connectionId: string;
  /** $connect: the handshake's query string and headers. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A frame's text (a route other than $connect/$disconnect). */
  body?: string;
}

/** An API Gateway WebSocket event for `routeKey`, as Lambda receives it. */
export function wsEvent(routeKey: string, options: WsInvokeOptions): WsEvent {
  const eventType =
    routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  return {
    requestContext: {
      routeKey,
      messageId: randomUUID(),
      eventType,
      extendedRequestId: randomUUID(),
      requestTime: new Date().toUTCString(),
      messageDirection: 'IN',
      stage: 'local',
      connectedAt: Date.now(),
      requestTimeEpoch: Date.now(),
      requestId: randomUUID(),
      domainName: 'localhost',
      connectionId: options.connectionId,
      apiId: 'local',
    },
    isBase64Encoded: false,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(eventType === 'CONNECT'
      ? { headers: options.headers ?? {}, queryStringParameters: options.query }
      : {}),
  };
}

export interface WsInvokeResult {
  status: number;
  /** The route response's frame, parsed (undefined when none). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions narrow it
  frame: any;
}

/** Invokes a WebSocket route's handler in process; parses the frame it answers with. */
export async function invokeWs(
  handler: WsHandler,
  routeKey: string,
  options: WsInvokeOptions,
): Promise<WsInvokeResult> {
  const result = await handler(wsEvent(routeKey, options), lambdaContext());
  return {
    status: result.statusCode,
    frame: result.body === undefined ? undefined : JSON.parse(result.body),
  };
}

export interface RecordedFrame {
  connectionId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions narrow it
  event: any;
}

/**
 * A management API stand-in: records every post and close, answers 410 for connections
 * marked gone, and can be made to fail or hang.
 */
export class RecordingGateway implements ConnectionGateway {
  readonly posted: RecordedFrame[] = [];
  readonly closed: string[] = [];
  readonly gone = new Set<string>();
  readonly failing = new Set<string>();
  readonly hanging = new Set<string>();

  async post(connectionId: string, frame: string, signal: AbortSignal): Promise<'sent' | 'gone'> {
    await this.behave(connectionId, signal);
    if (this.gone.has(connectionId)) return 'gone';
    this.posted.push({ connectionId, event: JSON.parse(frame) });
    return 'sent';
  }

  async close(connectionId: string, signal: AbortSignal): Promise<'closed' | 'gone'> {
    await this.behave(connectionId, signal);
    if (this.gone.has(connectionId)) return 'gone';
    this.closed.push(connectionId);
    return 'closed';
  }

  /** The events posted to one connection, in order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions narrow it
  eventsTo(connectionId: string): any[] {
    return this.posted
      .filter((post) => post.connectionId === connectionId)
      .map((post) => post.event);
  }

  reset(): void {
    this.posted.length = 0;
    this.closed.length = 0;
    this.gone.clear();
    this.failing.clear();
    this.hanging.clear();
  }

  private async behave(connectionId: string, signal: AbortSignal): Promise<void> {
    if (this.failing.has(connectionId)) throw new Error('management API unavailable');
    if (this.hanging.has(connectionId)) {
      // Ends only when the publisher gives up (or never, for a publisher without a deadline).
      await new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
  }
}

/** Installs a RecordingGateway for the calling test file (reset before each test). */
export function useRecordingGateway(): RecordingGateway {
  const gateway = new RecordingGateway();
  beforeAll(() => useConnectionGateway(gateway));
  beforeEach(() => gateway.reset());
  afterAll(() => useConnectionGateway(undefined));
  return gateway;
}
