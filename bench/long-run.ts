/**
 * The long-run case: one caller (1 connection) calls GET /api/auth/profile through
 * serverless-offline (`npm start`'s emulator) thousands of times in a row, and the request
 * rate over the last window is compared with the first. A leak per call in the emulator
 * (serverless-offline 13.9 left a message channel open per invocation, fixed here by
 * patches/serverless-offline+13.9.0.patch) shows as a falling ratio: it fell from about
 * 560 to 85 req/s over 30k calls before the patch.
 *
 * `npx tsx bench/long-run.ts [--scale small|default] [--db sqlite|mysql]` prints the result
 * as JSON; `npm run bench` runs it as its `long` stage.
 */
import { startOffline } from '../test/e2e/offline';
import { stopOnSignal } from './http-load';
import type { ScaleName } from './options';
import type { DbType } from './types';

export interface LongRunResult {
  db: DbType;
  endpoint: string;
  calls: number;
  window: number;
  firstReqPerSec: number;
  lastReqPerSec: number;
  /** last / first: about 1 when nothing accumulates per call. */
  ratio: number;
  seconds: number;
}

/** Calls and window per scale: small fits CI (a few seconds), default is the 30k/1k. */
export const longRunSizes: Record<ScaleName, { calls: number; window: number }> = {
  default: { calls: 30_000, window: 1_000 },
  small: { calls: 3_000, window: 300 },
};

export async function measureLongRun(db: DbType, scale: ScaleName): Promise<LongRunResult> {
  const { calls, window } = longRunSizes[scale];
  const previousDbType = process.env.DB_TYPE;
  process.env.DB_TYPE = db;
  const api = await startOffline({ POWERTOOLS_LOG_LEVEL: 'ERROR' }).finally(() => {
    process.env.DB_TYPE = previousDbType;
  });
  const release = stopOnSignal(api);
  try {
    const suffix = Math.random().toString(36).slice(2, 10);
    const registered = await fetch(`${api.baseUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: `long_${suffix}`,
        email: `long_${suffix}@example.com`,
        password: 'correct horse battery',
      }),
    });
    const registration = (await registered.json()) as { data?: { access_token?: string } };
    const token = registration.data?.access_token;
    if (registered.status !== 201 || token === undefined) {
      throw new Error(`register: ${registered.status} ${JSON.stringify(registration)}`);
    }
    const headers = { authorization: `Bearer ${token}` };
    const url = `${api.baseUrl}/api/auth/profile`;
    // Each worker's first call loads its bundle: not part of either window.
    for (let warm = 0; warm < 20; warm += 1) await (await fetch(url, { headers })).arrayBuffer();

    const started = performance.now();
    let windowStart = started;
    let first = 0;
    let last = 0;
    for (let call = 1; call <= calls; call += 1) {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`call ${call}: ${response.status}`);
      if (call === window) first = window / ((performance.now() - windowStart) / 1000);
      if (call === calls - window) windowStart = performance.now();
    }
    last = window / ((performance.now() - windowStart) / 1000);
    return {
      db,
      endpoint: 'GET /api/auth/profile',
      calls,
      window,
      firstReqPerSec: Math.round(first),
      lastReqPerSec: Math.round(last),
      ratio: Math.round((last / first) * 100) / 100,
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    release();
    await api.stop();
  }
}

if (require.main === module) {
  const argument = (name: string, fallback: string) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
  };
  const db = argument('db', process.env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite') as DbType;
  const scale = argument('scale', 'default') as ScaleName;
  if (!['sqlite', 'mysql'].includes(db) || !(scale in longRunSizes)) {
    console.error('usage: tsx bench/long-run.ts [--db sqlite|mysql] [--scale small|default]');
    process.exit(2);
  }
  measureLongRun(db, scale)
    .then((result) => console.log(JSON.stringify(result, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
