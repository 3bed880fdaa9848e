// @ts-expect-error -- autocannon ships no types; narrowed to `Autocannon` below.
import untypedAutocannon from 'autocannon';
import { launchOffline, type OfflineApi } from '../test/e2e/offline';
import type { BenchFixture, HttpLoadResult } from './types';

/**
 * The HTTP stage: autocannon against serverless-offline, the local emulator. Its numbers
 * include the emulator's routing and worker-thread hand-off, so they say how the functions
 * behave under concurrency locally, not what Lambda behind API Gateway would do.
 */

/** The part of autocannon's request shape used here. */
interface CannonRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: CannonRequest) => CannonRequest;
  onResponse?: (status: number, body: string) => void;
}

/** The part of autocannon's result used here (latencies in ms). */
interface CannonResult {
  duration: number;
  errors: number;
  non2xx: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  requests: { total: number };
}

interface CannonInstance extends PromiseLike<CannonResult> {
  on(event: 'reqError', listener: (error: Error) => void): CannonInstance;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: CannonRequest[];
}) => CannonInstance;

const autocannon: Autocannon = untypedAutocannon;

/** How one endpoint is called; `next` is asked before every request (sends rotate). */
interface Endpoint {
  name: 'send' | 'history' | 'chats';
  method: 'GET' | 'POST';
  path: string;
  next: () => { headers: Record<string, string>; body?: string };
}

/** Short enough not to matter, long enough for serverless-offline to start its workers. */
const WARM_UP_SECONDS = 2;
const BUILD_DIR = '.esbuild-bench-http';

/**
 * Starts serverless-offline on the fixture's (seeded) database, runs autocannon against
 * send, history and chats at each connection count, and stops it again. Throws if any
 * request fails: a load run on failing requests measures nothing.
 */
export async function measureHttp(
  fixture: BenchFixture,
  options: { durationSeconds: number; connections: number[] },
): Promise<HttpLoadResult[]> {
  if (options.connections.length === 0 || !options.connections.every((n) => n >= 1))
    throw new Error('measureHttp: connections must be counts of at least 1');
  const api = await launchOffline({
    env: { DB_TYPE: fixture.db, ...fixture.env, POWERTOOLS_LOG_LEVEL: 'WARN' },
    buildDir: BUILD_DIR,
  });
  const releaseSignals = stopOnSignal(api);
  try {
    const results: HttpLoadResult[] = [];
    for (const endpoint of endpoints(fixture)) {
      await warmUp(api, endpoint, Math.max(...options.connections));
      for (const connections of options.connections) {
        results.push(await measure(api, endpoint, connections, options.durationSeconds));
      }
    }
    return results;
  } finally {
    releaseSignals();
    await api.stop();
  }
}

function endpoints(fixture: BenchFixture): Endpoint[] {
  if (fixture.senders.length === 0) throw new Error('the fixture has no senders');
  const reader = { authorization: `Bearer ${fixture.reader.token}` };
  let sent = 0;
  return [
    {
      name: 'send',
      method: 'POST',
      path: '/api/message/send',
      // Each send from the next sender: the per-user send limit stays on, as in production.
      next: () => {
        const sender = fixture.senders[sent % fixture.senders.length];
        if (!sender) throw new Error('unreachable: senders is not empty');
        sent += 1;
        return {
          headers: {
            authorization: `Bearer ${sender.token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ receiver_id: sender.receiverId, content: `bench ${sent}` }),
        };
      },
    },
    {
      name: 'history',
      method: 'GET',
      path: `/api/message/history?friend_id=${fixture.reader.friendId}&per_page=20`,
      next: () => ({ headers: reader }),
    },
    { name: 'chats', method: 'GET', path: '/api/message/chats', next: () => ({ headers: reader }) },
  ];
}

/**
 * serverless-offline starts a worker thread per concurrent call of a function, lazily, and
 * the first call of each loads the bundle and opens the database: one checked call, then a
 * burst at the highest concurrency, so the measured runs find every worker ready.
 */
async function warmUp(api: OfflineApi, endpoint: Endpoint, connections: number): Promise<void> {
  const { headers, body } = endpoint.next();
  const response = await fetch(`${api.baseUrl}${endpoint.path}`, {
    method: endpoint.method,
    headers,
    body,
  });
  if (response.status < 200 || response.status > 299) {
    const text = await response.text();
    throw new Error(`${endpoint.name} warm-up: ${response.status} ${text.slice(0, 500)}`);
  }
  await run(api, endpoint, connections, WARM_UP_SECONDS, 'warm-up');
}

async function measure(
  api: OfflineApi,
  endpoint: Endpoint,
  connections: number,
  durationSeconds: number,
): Promise<HttpLoadResult> {
  const result = await run(api, endpoint, connections, durationSeconds, 'run');
  // The slowest call only goes to the log: it shows stalls (GC, a busy machine) at a glance.
  console.error(
    `http ${endpoint.name} ×${connections}: ${result.requests.total} requests, ` +
      `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
  );
  return {
    endpoint: endpoint.name,
    connections,
    durationSeconds,
    requests: result.requests.total,
    requestsPerSecond: Math.round((result.requests.total / result.duration) * 10) / 10,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** One autocannon run; throws on any non-2xx answer or connection error. */
async function run(
  api: OfflineApi,
  endpoint: Endpoint,
  connections: number,
  durationSeconds: number,
  phase: 'warm-up' | 'run',
): Promise<CannonResult> {
  let firstFailure: string | undefined;
  const instance = autocannon({
    url: api.baseUrl,
    connections,
    duration: durationSeconds,
    requests: [
      {
        method: endpoint.method,
        path: endpoint.path,
        setupRequest: (request) => ({ ...request, ...endpoint.next() }),
        onResponse: (status, body) => {
          if (status >= 200 && status <= 299) return;
          firstFailure ??= `${status} ${body.slice(0, 500)}`;
        },
      },
    ],
  });
  instance.on('reqError', (error) => {
    firstFailure ??= error.message;
  });
  const result = await instance;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${endpoint.name} ×${connections} (${phase}): ${result.non2xx} non-2xx and ` +
        `${result.errors} errors in ${result.requests.total} requests; ` +
        `first: ${firstFailure ?? 'unknown'}` +
        (firstFailure?.startsWith('429') ? ' (send limit: the fixture needs more senders)' : '') +
        `\nserverless-offline said, lately:\n${notableOutput(api)}`,
    );
  }
  return result;
}

/** serverless-offline's output since it got ready, without its lines per request. */
export function notableOutput(api: OfflineApi): string {
  const output = api.output();
  const sinceReady = output.slice(output.lastIndexOf('Server ready'));
  const routine = /^\s*$|^Server ready|^(GET|POST) \/api\/|^\(λ: \w+\) RequestId: .* Duration: /;
  const lines = sinceReady.split('\n').filter((line) => !routine.test(line));
  return lines.length > 0 ? lines.slice(-30).join('\n') : '(nothing but requests)';
}

/** Stops serverless-offline (its own process group, which Ctrl-C does not reach) on a signal. */
export function stopOnSignal(api: OfflineApi): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // Later signals (tsx relays Ctrl-C too) must not cut the cleanup short.
    if (stopping) return;
    stopping = true;
    void api.stop().finally(() => {
      release();
      process.kill(process.pid, signal);
    });
  };
  const release = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return release;
}
