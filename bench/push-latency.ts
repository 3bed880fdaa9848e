import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { launchOffline, type OfflineApi } from '../test/e2e/offline';
import { notableOutput, stopOnSignal } from './http-load';
import { percentile, summarize } from './measure';
import type { Scale } from './options';
import type { BenchFixture, LatencySummary, PushLatencyRun, PushPair, PushResult } from './types';

/**
 * The push stage: real-time delivery through serverless-offline, the local emulator of API
 * Gateway's WebSocket API. Receivers hold WebSockets open; senders call POST
 * /api/message/send over HTTP and the bench times how long the message.new frame takes to
 * reach the receiver. Like the HTTP stage, this measures the emulator's path (a worker
 * thread per function, the management API as a local HTTP server), not AWS.
 *
 * 1. Push latency, with 1 and with 8 concurrent senders: send start → frame arrival.
 * 2. What the push adds to a send: the send's round trip with its receiver on 2 sockets,
 *    against the same number of sends to receivers with no socket, in alternating blocks.
 *
 * Each sender is a distinct user pair and sends at most SENDS_PER_SENDER times, so the
 * per-user send limit stays on (production settings) and is never reached.
 */

/** Far below the send limit (120 a minute), leaving room for the stages before this one. */
const SENDS_PER_SENDER = 40;
/** Concurrent senders in the second latency run. */
const CONCURRENT_SENDERS = 8;
/** Sockets per connected receiver in the overhead comparison. */
const OVERHEAD_SOCKETS = 2;
/** Sends per block in the overhead comparison; connected and not connected alternate. */
const BLOCK = 10;
/** A frame that has not come by then never will: a push gives up after PUSH_TIMEOUT_MS (1.5 s). */
const FRAME_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
const BUILD_DIR = '.esbuild-bench-push';

const round = (value: number) => Math.round(value * 1000) / 1000;

/** How many sends each part makes, from the scale. */
export interface PushPlan {
  /** Measured sends with one sender, then with eight at once. */
  latencySends: { one: number; eight: number };
  /** Unmeasured sends first: eight at once (every worker thread starts), then one. */
  warmUp: { eight: number; one: number };
  /** Measured sends on each side of the overhead comparison (after one block each unmeasured). */
  overheadSends: number;
}

export function pushPlan(scale: Scale): PushPlan {
  const overheadSends = Math.ceil(scale.calls / BLOCK) * BLOCK;
  return {
    latencySends: { one: scale.calls, eight: 2 * scale.calls },
    warmUp: { eight: Math.max(8 * CONCURRENT_SENDERS, Math.floor(scale.calls / 5)), one: 16 },
    overheadSends,
  };
}

/** Pairs for each part; every sender stays within SENDS_PER_SENDER. */
function pairCounts(plan: PushPlan) {
  const latencyTotal =
    plan.latencySends.one + plan.latencySends.eight + plan.warmUp.eight + plan.warmUp.one;
  // A multiple of the sender count, so each concurrent sender has pairs of its own.
  const latency =
    Math.ceil(latencyTotal / SENDS_PER_SENDER / CONCURRENT_SENDERS) * CONCURRENT_SENDERS;
  const overheadSide = Math.ceil((plan.overheadSends + BLOCK) / SENDS_PER_SENDER);
  return { latency, overheadSide };
}

/** Distinct pairs the stage needs (pass that many to measurePush). */
export function pushPairsNeeded(plan: PushPlan): number {
  const { latency, overheadSide } = pairCounts(plan);
  return latency + 2 * overheadSide;
}

/**
 * messageSend's durations as serverless-offline logs them, oldest first: measured on its
 * main thread, so the hand-off to the function's worker thread and back, plus the handler.
 */
function loggedSendDurations(api: OfflineApi): number[] {
  return [
    ...api.output().matchAll(/\(λ: messageSend\) RequestId: \S+\s+Duration: ([\d.]+) ms/g),
  ].map((match) => Number(match[1]));
}

/**
 * The durations logged from `from` on, once `count` of them have come in (the log reaches
 * this process after the answers do); undefined if they do not all come within a second.
 */
async function sendDurationsSince(
  api: OfflineApi,
  from: number,
  count: number,
): Promise<number[] | undefined> {
  for (let waited = 0; waited <= 1000; waited += 50) {
    const all = loggedSendDurations(api);
    if (all.length === from + count) return all.slice(from);
    if (all.length > from + count) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

const p50Of = (values: number[] | undefined) =>
  values && values.length > 0
    ? round(
        percentile(
          [...values].sort((a, b) => a - b),
          0.5,
        ),
      )
    : undefined;

/** One receiving socket: which user it belongs to, and how it ended if it did. */
interface Receiver {
  userId: number;
  socket: WebSocket;
  closed?: string;
}

/** A send waiting for its frames. */
interface Waiter {
  receiverId: number;
  remaining: number;
  arrivals: number[];
  resolve: (arrivals: number[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Sends and frames, matched by client_msg_id. A frame's arrival time is taken as its
 * 'message' event fires, before it is parsed.
 */
class PushClient {
  readonly receivers: Receiver[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: CONCURRENT_SENDERS });
  private readonly sendUrl: URL;
  private sent = 0;
  private readonly tag = Date.now().toString(36);

  constructor(readonly api: OfflineApi) {
    this.sendUrl = new URL('/api/message/send', api.baseUrl);
  }

  /** Opens a socket for `userId` with its access token; throws if the handshake is refused. */
  async connect(userId: number, token: string): Promise<void> {
    const socket = new WebSocket(`${this.api.websocketUrl}?token=${encodeURIComponent(token)}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(
          new Error(`push: user ${userId}'s WebSocket did not open in ${CONNECT_TIMEOUT_MS} ms`),
        );
      }, CONNECT_TIMEOUT_MS);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`push: user ${userId}'s WebSocket: ${error.message}`));
      });
    });
    const receiver: Receiver = { userId, socket };
    this.receivers.push(receiver);
    socket.on('error', (error) => {
      receiver.closed ??= error.message;
    });
    socket.on('close', (code, reason) => {
      receiver.closed ??= `closed ${code} ${reason.toString()}`.trim();
    });
    socket.on('message', (data: WebSocket.RawData) => {
      const at = performance.now();
      this.onFrame(receiver, String(data), at);
    });
  }

  private onFrame(receiver: Receiver, text: string, at: number): void {
    let frame: { type?: unknown; data?: { message?: { client_msg_id?: unknown } } };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    const key = frame.data?.message?.client_msg_id;
    if (frame.type !== 'message.new' || typeof key !== 'string') return;
    const waiter = this.waiters.get(key);
    if (!waiter) return;
    if (receiver.userId !== waiter.receiverId) {
      this.settle(key, waiter, new Error(`push: ${key} reached user ${receiver.userId}'s socket`));
      return;
    }
    waiter.arrivals.push(at);
    waiter.remaining -= 1;
    if (waiter.remaining === 0) this.settle(key, waiter);
  }

  private settle(key: string, waiter: Waiter, error?: Error): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(key);
    if (error) waiter.reject(error);
    else waiter.resolve(waiter.arrivals);
  }

  /**
   * One send, timed from just before the request is written. Throws unless it answers 201
   * and, when `frames` > 0, unless that many message.new frames reach the receiver's
   * sockets within FRAME_TIMEOUT_MS of the send.
   */
  async send(
    pair: PushPair,
    frames: number,
  ): Promise<{ sentAt: number; answeredAt: number; frameAt: number[] }> {
    this.sent += 1;
    const key = `push-${this.tag}-${this.sent}`;
    const body = JSON.stringify({
      receiver_id: pair.receiverId,
      content: `push ${this.sent}`,
      client_msg_id: key,
    });
    const headers = {
      authorization: `Bearer ${pair.senderToken}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    };
    const arrived =
      frames === 0
        ? Promise.resolve([])
        : new Promise<number[]>((resolve, reject) => {
            const timer = setTimeout(() => {
              const waiter = this.waiters.get(key);
              const got = waiter ? frames - waiter.remaining : 0;
              this.waiters.delete(key);
              reject(
                new Error(
                  `push: ${got} of ${frames} message.new frames for ${key} (user ` +
                    `${pair.senderId} → ${pair.receiverId}) within ${FRAME_TIMEOUT_MS} ms` +
                    `${this.socketTrouble(pair.receiverId)}\n` +
                    `serverless-offline said, lately:\n${notableOutput(this.api)}`,
                ),
              );
            }, FRAME_TIMEOUT_MS);
            this.waiters.set(key, {
              receiverId: pair.receiverId,
              remaining: frames,
              arrivals: [],
              resolve,
              reject,
              timer,
            });
          });
    // Observed now, awaited below: a send that fails first must not leave it unhandled.
    arrived.catch(() => undefined);
    const sentAt = performance.now();
    let answer: { status: number; body: string };
    try {
      answer = await this.post(body, headers);
    } catch (error) {
      this.cancel(key);
      throw error;
    }
    const answeredAt = performance.now();
    if (answer.status !== 201) {
      this.cancel(key);
      throw new Error(
        `push: send ${pair.senderId} → ${pair.receiverId} answered ${answer.status}, ` +
          `expected 201: ${answer.body.slice(0, 500)}` +
          (answer.status === 429 ? ' (send limit: the stage needs more senders)' : '') +
          `\nserverless-offline said, lately:\n${notableOutput(this.api)}`,
      );
    }
    return { sentAt, answeredAt, frameAt: await arrived };
  }

  private cancel(key: string): void {
    const waiter = this.waiters.get(key);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.waiters.delete(key);
    }
  }

  private socketTrouble(userId: number): string {
    const ended = this.receivers.filter((r) => r.userId === userId && r.closed);
    return ended.length === 0
      ? ''
      : `; the receiver's sockets: ${ended.map((r) => r.closed).join(', ')}`;
  }

  private post(body: string, headers: Record<string, string>) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(this.sendUrl, { method: 'POST', agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`push: no answer to a send in ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    for (const { socket } of this.receivers) socket.terminate();
    this.agent.destroy();
  }
}

/**
 * Starts serverless-offline on the fixture's database, connects the receivers, runs both
 * parts and stops it again. Throws on any send that does not answer 201 and on any frame
 * that does not arrive.
 */
export async function measurePush(
  fixture: BenchFixture,
  pairs: PushPair[],
  plan: PushPlan,
): Promise<PushResult> {
  const counts = pairCounts(plan);
  if (pairs.length < pushPairsNeeded(plan)) {
    throw new Error(`push: ${pairs.length} pairs, the stage needs ${pushPairsNeeded(plan)}`);
  }
  const latencyPairs = pairs.slice(0, counts.latency);
  const connectedPairs = pairs.slice(counts.latency, counts.latency + counts.overheadSide);
  const disconnectedPairs = pairs.slice(
    counts.latency + counts.overheadSide,
    counts.latency + 2 * counts.overheadSide,
  );

  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const api = await launchOffline({
    env: { DB_TYPE: fixture.db, ...fixture.env, POWERTOOLS_LOG_LEVEL: 'WARN' },
    buildDir: BUILD_DIR,
  });
  const releaseSignals = stopOnSignal(api);
  const client = new PushClient(api);
  try {
    console.error(`push: serverless-offline ready after ${seconds()} s`);
    // One at a time: each handshake runs wsConnect, a transaction on the receiver's row.
    for (const pair of latencyPairs) await client.connect(pair.receiverId, pair.receiverToken);
    for (const pair of connectedPairs) {
      for (let socket = 0; socket < OVERHEAD_SOCKETS; socket += 1) {
        await client.connect(pair.receiverId, pair.receiverToken);
      }
    }
    console.error(`push: ${client.receivers.length} sockets open after ${seconds()} s`);

    // Eight at once first, so serverless-offline starts a worker thread per concurrent
    // send (each loads the bundle and opens the database) before anything is measured.
    const bySender = Array.from({ length: CONCURRENT_SENDERS }, (_, sender) =>
      latencyPairs.filter((_, index) => index % CONCURRENT_SENDERS === sender),
    );
    await latencyRun(client, bySender, plan.warmUp.eight);
    await latencyRun(client, [latencyPairs], plan.warmUp.one);
    const latency = [
      await latencyRun(client, [latencyPairs], plan.latencySends.one),
      await latencyRun(client, bySender, plan.latencySends.eight),
    ];
    for (const run of latency) {
      console.error(
        `push ×${run.concurrency}: ${run.ops} sends, frame p50 ${run.p50Ms} ms, ` +
          `p99 ${run.p99Ms} ms; send p50 ${run.sendP50Ms} ms`,
      );
    }

    const overhead = await overheadRun(client, connectedPairs, disconnectedPairs, plan);
    console.error(
      `push overhead: send p50 ${overhead.connected.p50Ms} ms with ${OVERHEAD_SOCKETS} ` +
        `receiver sockets, ${overhead.disconnected.p50Ms} ms with none (${overhead.ratio}x); ` +
        `${seconds()} s in all`,
    );
    return { pairs: latencyPairs.length, latency, overhead };
  } finally {
    client.close();
    releaseSignals();
    await api.stop();
  }
}

/**
 * `sends` sends from `senders.length` concurrent senders, each waiting for its answer and
 * its frame before the next (a closed loop); sender i rotates over its own pairs.
 */
async function latencyRun(
  client: PushClient,
  senders: PushPair[][],
  sends: number,
): Promise<PushLatencyRun> {
  const push: number[] = [];
  const roundTrips: number[] = [];
  let frameFirst = 0;
  let issued = 0;
  const logged = loggedSendDurations(client.api).length;
  const started = performance.now();
  await Promise.all(
    senders.map(async (own) => {
      for (let turn = 0; issued < sends; turn += 1) {
        issued += 1;
        const pair = own[turn % own.length];
        if (!pair) throw new Error('push: a sender without pairs');
        const { sentAt, answeredAt, frameAt } = await client.send(pair, 1);
        const arrivedAt = frameAt[0] ?? Number.NaN;
        push.push(arrivedAt - sentAt);
        roundTrips.push(answeredAt - sentAt);
        if (arrivedAt < answeredAt) frameFirst += 1;
      }
    }),
  );
  const summary = summarize(push, senders.length, performance.now() - started);
  const handler = p50Of(await sendDurationsSince(client.api, logged, push.length));
  return {
    ...summary,
    sendP50Ms: p50Of(roundTrips) ?? Number.NaN,
    ...(handler === undefined ? {} : { handlerP50Ms: handler }),
    frameFirstShare: round(frameFirst / Math.max(1, push.length)),
  };
}

/**
 * Sends one at a time, in blocks of BLOCK that alternate between receivers with
 * OVERHEAD_SOCKETS sockets each and receivers with none, which side goes first swapping
 * every round so drift hits both alike. Times the HTTP round trip only; the frames to the
 * connected receivers are checked after it, outside the timing.
 */
async function overheadRun(
  client: PushClient,
  connectedPairs: PushPair[],
  disconnectedPairs: PushPair[],
  plan: PushPlan,
): Promise<PushResult['overhead']> {
  const sides = [
    { pairs: connectedPairs, frames: OVERHEAD_SOCKETS, times: [] as number[], turn: 0, ms: 0 },
    { pairs: disconnectedPairs, frames: 0, times: [] as number[], turn: 0, ms: 0 },
  ];
  // Which side made each measured send, in order, to split serverless-offline's log.
  const order: number[] = [];
  const block = async (side: (typeof sides)[number], record: boolean) => {
    const started = performance.now();
    for (let index = 0; index < BLOCK; index += 1) {
      const pair = side.pairs[side.turn++ % side.pairs.length];
      if (!pair) throw new Error('push: a side without pairs');
      const { sentAt, answeredAt } = await client.send(pair, side.frames);
      if (record) {
        side.times.push(answeredAt - sentAt);
        order.push(sides.indexOf(side));
      }
    }
    if (record) side.ms += performance.now() - started;
  };
  for (const side of sides) await block(side, false);
  const logged = loggedSendDurations(client.api).length;
  for (let blockPair = 0; blockPair < plan.overheadSends / BLOCK; blockPair += 1) {
    const first = blockPair % 2 === 0 ? sides : [...sides].reverse();
    for (const side of first) await block(side, true);
  }
  const [connected, disconnected] = sides.map((side) => summarize(side.times, 1, side.ms)) as [
    LatencySummary,
    LatencySummary,
  ];
  const durations = await sendDurationsSince(client.api, logged, order.length);
  const handlerP50 = (side: number) =>
    p50Of(durations?.filter((_, index) => order[index] === side));
  const handler = { connected: handlerP50(0), disconnected: handlerP50(1) };
  return {
    sockets: OVERHEAD_SOCKETS,
    sends: plan.overheadSends,
    connected,
    disconnected,
    ratio: round(connected.p50Ms / disconnected.p50Ms),
    ...(handler.connected !== undefined && handler.disconnected !== undefined
      ? { handlerP50Ms: { connected: handler.connected, disconnected: handler.disconnected } }
      : {}),
  };
}
