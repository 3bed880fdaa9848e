import type * as ManagementApi from '@aws-sdk/client-apigatewaymanagementapi';
import { getConfig } from '../config';
import { errorForLog, logger } from '../logger';
import { settleWithin, type Outcome } from './deadline';

/**
 * The one boundary between this service and API Gateway's management API: send a frame
 * to a connection, or close it. Tests replace it (useConnectionGateway) to record what
 * would be sent and to simulate gone connections.
 */
export interface ConnectionGateway {
  /** Sends one text frame; 'gone' when the gateway no longer knows the connection (410). */
  post(connectionId: string, frame: string, signal: AbortSignal): Promise<'sent' | 'gone'>;
  /** Closes a connection; 'gone' when it had already ended. */
  close(connectionId: string, signal: AbortSignal): Promise<'closed' | 'gone'>;
  /**
   * Loads what calls need (the SDK client, once per container), so that a deadline put on
   * post and close times the calls, not a cold container's module loading.
   */
  ready?(): Promise<void>;
}

let replacement: ConnectionGateway | undefined;
let sdkGateway: { endpoint: string; gateway: ConnectionGateway } | undefined;

/** Replaces the management API (tests); `undefined` restores it. */
export function useConnectionGateway(gateway: ConnectionGateway | undefined): void {
  replacement = gateway;
}

/** The gateway to push through, or undefined when no WebSocket API is configured. */
export function connectionGateway(): ConnectionGateway | undefined {
  if (replacement) return replacement;
  const { endpoint, offline } = getConfig().realtime;
  if (endpoint === undefined) return undefined;
  if (sdkGateway?.endpoint !== endpoint) {
    sdkGateway = { endpoint, gateway: managementApiGateway(endpoint, offline) };
  }
  return sdkGateway.gateway;
}

/**
 * Calls the gateway for many connections at once (post or close), all within
 * PUSH_TIMEOUT_MS; loading the SDK on a cold container comes first, outside that limit.
 * Calls that failed or ran out of time are logged under `what`; the outcomes come back in
 * order. Never throws for a call.
 */
export async function callWithinDeadline<T>(
  gateway: ConnectionGateway,
  what: string,
  calls: readonly ((signal: AbortSignal) => Promise<T>)[],
): Promise<Outcome<T>[]> {
  await gateway.ready?.();
  const outcomes = await settleWithin(getConfig().realtime.pushTimeoutMs, calls);
  const failed = outcomes.filter((outcome) => outcome.status !== 'fulfilled');
  const first = failed[0];
  if (first !== undefined) {
    logger.warn(what, {
      failed: failed.length,
      of: calls.length,
      error: first.status === 'rejected' ? errorForLog(first.reason) : 'timeout',
    });
  }
  return outcomes;
}

/**
 * Gone is HTTP 410: `GoneException` on AWS; serverless-offline answers the same status,
 * which the SDK names `Unknown` there, so the status decides.
 */
export function isGone(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return status === 410 || (error as Error | undefined)?.name === 'GoneException';
}

/**
 * The SDK-backed gateway. The client module is loaded on first use, so functions that
 * never push (and every cold start) skip its cost.
 */
function managementApiGateway(endpoint: string, offline: boolean): ConnectionGateway {
  let client:
    Promise<{ client: ManagementApi.ApiGatewayManagementApiClient; sdk: Sdk }> | undefined;
  const load = () => {
    client ??= import('@aws-sdk/client-apigatewaymanagementapi').then((sdk) => ({
      sdk,
      client: new sdk.ApiGatewayManagementApiClient({
        endpoint,
        region: process.env.AWS_REGION ?? 'us-east-1',
        // serverless-offline accepts any signature; without these the SDK would look for
        // credentials (and, finding none, probe the EC2 metadata service).
        ...(offline ? { credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' } } : {}),
        maxAttempts: 1,
      }),
    }));
    return client;
  };
  return {
    async ready() {
      await load();
    },
    async post(connectionId, frame, signal) {
      const { client, sdk } = await load();
      try {
        await client.send(
          new sdk.PostToConnectionCommand({ ConnectionId: connectionId, Data: frame }),
          { abortSignal: signal },
        );
        return 'sent';
      } catch (error) {
        if (isGone(error)) return 'gone';
        throw error;
      }
    },
    async close(connectionId, signal) {
      const { client, sdk } = await load();
      try {
        await client.send(new sdk.DeleteConnectionCommand({ ConnectionId: connectionId }), {
          abortSignal: signal,
        });
        return 'closed';
      } catch (error) {
        if (isGone(error)) return 'gone';
        throw error;
      }
    },
  };
}

type Sdk = typeof ManagementApi;
