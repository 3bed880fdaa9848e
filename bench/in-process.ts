/**
 * One database's benchmark, run in a child process of bench/cli.ts whose environment
 * points the service at the bench database: seed, scaling runs at the low point, the
 * rest of the data, scaling at full size, every endpoint, then cold start, HTTP and push.
 * Writes its results as JSON to the path given as the first argument.
 */
import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import { getConfig } from '../lib/config';
import { closeDb, getDb, observeQueries } from '../lib/db/connection';
import type { LambdaHandler } from '../lib/http/handler';
import type { HttpEvent } from '../lib/http/types';
import { httpEvent, lambdaContext } from '../test/helpers/invoke';
import {
  allCases,
  disposableSessions,
  distinctPairs,
  ordinaryPairs,
  readCases,
  tokenOf,
  type EndpointCase,
} from './cases';
import { measure } from './measure';
import { generateDataset, usernameOf, type Dataset } from './dataset';
import type { CostResult } from './costs/types';
import { scales, stages as allStages, type ScaleName, type Stage } from './options';
import { openRawDb, type RawDb } from './raw-db';
import { benchPassword, resetDatabase, seedPhaseOne, seedPhaseTwo } from './seed';
import type {
  BenchFixture,
  ColdStartResult,
  HttpLoadResult,
  LatencySummary,
  PushResult,
} from './types';

/** Handler and baseline of one endpoint at one data size. */
export interface EndpointResult {
  name: string;
  function: string;
  /** Calls each run was to make; a run with fewer ran out of time or of its pool. */
  calls: number;
  handler: LatencySummary[];
  baseline: LatencySummary[];
  /** Statements per call: the handler's (from Kysely's log) and the baseline's. */
  statements: { handler: number; baseline: number };
  /** Time the handler's statements took per call, at concurrency 1 (the rest is JS). */
  handlerSqlMs: number;
  /** handler p50 / baseline p50 at concurrency 1. */
  ratio: number;
}

export interface DatabaseResults {
  db: string;
  version: string;
  seed: {
    users: number;
    friendships: number;
    messages: number;
    lowSeconds: number;
    fullSeconds: number;
  };
  scaling: {
    low: number;
    full: number;
    endpoints: { name: string; low: EndpointResult; full: EndpointResult }[];
  };
  endpoints: EndpointResult[];
  coldStart: ColdStartResult[];
  http: HttpLoadResult[];
  /** Absent when the push stage was skipped (and in results from before it existed). */
  push?: PushResult;
  /** Costs that grow (bench/costs), measured in databases of their own; absent when skipped. */
  costs?: CostResult[];
}

interface RunSettings {
  calls: number;
  bcryptCalls: number;
  maxMs: number;
  concurrency: number[];
}

const handlers = new Map<string, LambdaHandler>();

async function handlerOf(endpoint: EndpointCase): Promise<LambdaHandler> {
  let handler = handlers.get(endpoint.module);
  if (!handler) {
    handler = ((await import(endpoint.module)) as { handler: LambdaHandler }).handler;
    handlers.set(endpoint.module, handler);
  }
  return handler;
}

/** Calls the handler as Lambda would; a status other than the expected one stops the bench. */
async function callHandler(handler: LambdaHandler, endpoint: EndpointCase, event: HttpEvent) {
  const result = await handler(event, lambdaContext());
  if (result.statusCode !== endpoint.expectStatus) {
    throw new Error(
      `${endpoint.name}: status ${result.statusCode}, expected ${endpoint.expectStatus}: ${result.body}`,
    );
  }
  return result;
}

/** Reads must answer exactly what their baseline answers, or the comparison means nothing. */
async function checkSameAnswer(endpoint: EndpointCase, handler: LambdaHandler, index: number) {
  const call = endpoint.call(index);
  if (!call) return;
  const result = await callHandler(handler, endpoint, httpEvent(call.request));
  const fromHandler = (JSON.parse(String(result.body)) as { data: unknown }).data;
  const fromBaseline = JSON.parse(JSON.stringify(await call.baseline())) as unknown;
  if (!isDeepStrictEqual(fromHandler, fromBaseline)) {
    throw new Error(
      `${endpoint.name}: handler and baseline disagree\nhandler:  ${JSON.stringify(fromHandler).slice(0, 600)}\nbaseline: ${JSON.stringify(fromBaseline).slice(0, 600)}`,
    );
  }
}

async function measureEndpoint(
  endpoint: EndpointCase,
  raw: RawDb,
  settings: RunSettings,
): Promise<EndpointResult> {
  const handler = await handlerOf(endpoint);
  let index = 0;
  if (endpoint.compare) await checkSameAnswer(endpoint, handler, index++);
  const nextHandlerCall = () => {
    const call = endpoint.call(index++);
    if (!call) return undefined;
    // The event is built before the clock starts: API Gateway's work, not the function's.
    const event = httpEvent(call.request);
    return () => callHandler(handler, endpoint, event);
  };
  const nextBaselineCall = () => {
    const call = endpoint.call(index++);
    // The baseline serializes its answer too, as the handler does.
    return call && (async () => JSON.stringify({ data: await call.baseline() }));
  };
  const calls = endpoint.bcrypt ? settings.bcryptCalls : settings.calls;
  // Enough for the JIT to settle: the first measured run must not pay for compilation.
  const warmup = endpoint.bcrypt ? 2 : Math.max(100, Math.floor(calls / 5));
  const limits = (concurrency: number) => ({ calls, concurrency, maxMs: settings.maxMs });

  // Warm up both (JIT, pools, caches), then alternate so neither gets a warmer machine.
  await measure(nextHandlerCall, { ...limits(1), calls: warmup });
  await measure(nextBaselineCall, { ...limits(1), calls: warmup });

  const handlerRuns: LatencySummary[] = [];
  const baselineRuns: LatencySummary[] = [];
  let sqlMs = 0;
  let handlerStatements = 0;
  let baselineStatements = 0;
  for (const concurrency of settings.concurrency) {
    const stop = observeQueries((query) => {
      if (concurrency === 1) {
        sqlMs += query.durationMs;
        handlerStatements += 1;
      }
    });
    try {
      handlerRuns.push(await measure(nextHandlerCall, limits(concurrency)));
    } finally {
      stop();
    }
    const before = raw.statements();
    baselineRuns.push(await measure(nextBaselineCall, limits(concurrency)));
    if (concurrency === 1) {
      const ops = baselineRuns[0]?.ops ?? 1;
      baselineStatements = (raw.statements() - before) / Math.max(1, ops);
    }
  }
  const handlerOps = handlerRuns[0]?.ops ?? 1;
  const ratio = (handlerRuns[0]?.p50Ms ?? 0) / (baselineRuns[0]?.p50Ms ?? 1);
  return {
    name: endpoint.name,
    function: endpoint.functionName,
    calls,
    handler: handlerRuns,
    baseline: baselineRuns,
    statements: {
      handler: round(handlerStatements / handlerOps),
      baseline: round(baselineStatements),
    },
    handlerSqlMs: round(sqlMs / handlerOps),
    ratio: round(ratio),
  };
}

const round = (value: number) => Math.round(value * 100) / 100;

async function measureAll(
  cases: EndpointCase[],
  raw: RawDb,
  settings: RunSettings,
  only: string[],
) {
  const results: EndpointResult[] = [];
  for (const endpoint of cases) {
    if (only.length > 0 && !only.some((name) => endpoint.name.includes(name))) continue;
    process.stderr.write(`  ${endpoint.name}\n`);
    results.push(await measureEndpoint(endpoint, raw, settings));
  }
  return results;
}

function fixtureOf(
  data: Dataset,
  spare: { sessionIds: number[]; userIds: number[] },
): BenchFixture {
  const [reader] = data.readers;
  if (!reader) throw new Error('no reader');
  const pairs = ordinaryPairs(data);
  // The second half of the ordinary friendships: the in-process send case uses the first.
  const senders = pairs.slice(Math.floor(pairs.length / 2)).map(([senderId, receiverId]) => ({
    token: tokenOf(senderId),
    senderId,
    receiverId,
  }));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      /^(DB_|SQLITE_|JWT_|BCRYPT_|RATE_LIMIT|ACCESS_|REFRESH_)/.test(name)
    ) {
      env[name] = value;
    }
  }
  return {
    db: getConfig().db.type,
    env,
    password: benchPassword,
    reader: {
      token: tokenOf(reader.userId),
      userId: reader.userId,
      username: usernameOf(reader.userId),
      friendId: reader.partnerId,
    },
    senders,
    // Sessions of their own: ending them touches no token the other stages use.
    disposableTokens: spare.sessionIds.map((sessionId, index) =>
      tokenOf(spare.userIds[index] ?? 0, sessionId),
    ),
  };
}

async function databaseVersion(): Promise<string> {
  const db = await getDb();
  const query =
    getConfig().db.type === 'mysql'
      ? sql<{ version: string }>`select version() as version`
      : sql<{ version: string }>`select 'SQLite ' || sqlite_version() as version`;
  const { rows } = await query.execute(db);
  return rows[0]?.version ?? 'unknown';
}

async function main(): Promise<void> {
  const [outPath, scaleName, stageList = allStages.join(','), onlyList = ''] =
    process.argv.slice(2);
  if (!outPath || (scaleName !== 'small' && scaleName !== 'default')) {
    throw new Error('usage: in-process.ts <out.json> <small|default> [stages] [only]');
  }
  const scale = scales[scaleName as ScaleName];
  const stages = stageList.split(',') as Stage[];
  const only = onlyList.split(',').filter(Boolean);
  const settings = {
    calls: scale.calls,
    bcryptCalls: scale.bcryptCalls,
    maxMs: scale.maxRunSeconds * 1000,
  };
  const log = (text: string) => process.stderr.write(`[${getConfig().db.type}] ${text}\n`);

  log(`generating ${scale.name} data set`);
  const data = generateDataset(scale);
  await resetDatabase();
  const version = await databaseVersion();
  let started = performance.now();
  await seedPhaseOne(data);
  const lowSeconds = (performance.now() - started) / 1000;
  log(
    `seeded ${scale.users} users, ${data.friendLow.length} friendships, ${data.phaseOneMessages} messages in ${lowSeconds.toFixed(1)} s`,
  );

  const raw = await openRawDb();
  const scalingRuns = { ...settings, concurrency: [1] };
  let low: EndpointResult[] = [];
  if (stages.includes('scaling')) {
    // One pass thrown away first: the low point must not be the one that warms the JIT,
    // the pool and the buffer pool, or growth would look better than it is.
    await measureAll(readCases({ data, raw }), raw, scalingRuns, only);
    low = await measureAll(readCases({ data, raw }), raw, scalingRuns, only);
  }

  started = performance.now();
  await seedPhaseTwo(data);
  const fullSeconds = (performance.now() - started) / 1000;
  log(`seeded up to ${data.sender.length} messages in ${fullSeconds.toFixed(1)} s`);
  const full = stages.includes('scaling')
    ? await measureAll(readCases({ data, raw }), raw, scalingRuns, only)
    : [];

  let endpoints: EndpointResult[] = [];
  if (stages.includes('endpoints')) {
    log('endpoints');
    // Two measured runs each for handler and baseline, and their warm-ups.
    const capacity = 4 * scale.calls + 2 * Math.max(100, Math.floor(scale.calls / 5)) + 16;
    const cases = await allCases({ data, raw, capacity, tag: Date.now().toString(36) });
    endpoints = await measureAll(cases, raw, { ...settings, concurrency: [1, 8] }, only);
  }
  const fixture = fixtureOf(data, await disposableSessions(data, 4));
  await raw.close();
  await closeDb();

  let coldStart: ColdStartResult[] = [];
  if (stages.includes('cold')) {
    log('cold start');
    const { measureColdStart } = await import('./cold-start');
    coldStart = await measureColdStart(fixture);
  }
  let http: HttpLoadResult[] = [];
  if (stages.includes('http')) {
    log('HTTP through serverless-offline');
    const { measureHttp } = await import('./http-load');
    http = await measureHttp(fixture, { durationSeconds: scale.httpSeconds, connections: [1, 8] });
  }
  let push: PushResult | undefined;
  if (stages.includes('push')) {
    log('push through serverless-offline (WebSocket)');
    const { measurePush, pushPairsNeeded, pushPlan } = await import('./push-latency');
    const plan = pushPlan(scale);
    const pairs = distinctPairs(data, pushPairsNeeded(plan)).map(([senderId, receiverId]) => ({
      senderId,
      senderToken: tokenOf(senderId),
      receiverId,
      receiverToken: tokenOf(receiverId),
    }));
    push = await measurePush(fixture, pairs, plan);
  }

  const results: DatabaseResults = {
    db: getConfig().db.type,
    version,
    seed: {
      users: scale.users,
      friendships: data.friendLow.length,
      messages: data.sender.length,
      lowSeconds: round(lowSeconds),
      fullSeconds: round(fullSeconds),
    },
    scaling: {
      low: data.phaseOneMessages,
      full: data.sender.length,
      endpoints: low.flatMap((lowResult) => {
        const fullResult = full.find((result) => result.name === lowResult.name);
        return fullResult ? [{ name: lowResult.name, low: lowResult, full: fullResult }] : [];
      }),
    },
    endpoints,
    coldStart,
    http,
    ...(push ? { push } : {}),
  };
  writeFileSync(outPath, JSON.stringify(results, null, 2));
}

main().catch((error: unknown) => {
  // Exit at once: open pools and a serverless-offline child would keep a failed run alive.
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    () => process.exit(1),
  );
});
