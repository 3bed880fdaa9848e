/**
 * Issue 15's friend list costs: the first and the last page of GET /api/friend/list, at a
 * limit of 50 and at the default (1,000), for a user with few friends and one with many
 * (`default`: 50 and 5,000; `small`: 50 and 1,000). A child process seeds a fresh database
 * (a new SQLite file or MySQL database, dropped afterwards) with both users, then times
 * each page through the real handler in-process, one call at a time, alternating between
 * the two users so that both sizes are measured under the same load.
 *
 *   npx tsx bench/costs/friends.ts --db sqlite|mysql --scale small|default
 *
 * prints the cases as JSON. measureFriendsCosts() is the same, for the bench's costs stage.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ScaleName } from '../options';
import type { DbType } from '../types';
import { costCase, costPoint } from './case';
import type { CostCase, CostPoint } from './types';

const sizes: Record<ScaleName, { small: number; large: number; calls: number }> = {
  // Calls per page and size at limit=50; a third as many for the 1,000-entry pages.
  default: { small: 50, large: 5000, calls: 900 },
  small: { small: 50, large: 1000, calls: 150 },
};

/** The pages measured: [name, limit (undefined: the default), which page]. */
const pages: readonly [string, number | undefined, 'first' | 'last'][] = [
  ['friend list first page, limit=50', 50, 'first'],
  ['friend list last page, limit=50', 50, 'last'],
  ['friend list first page, default limit (1000)', undefined, 'first'],
  ['friend list last page, default limit (1000)', undefined, 'last'],
];

type Points = Record<string, { small: CostPoint; large: CostPoint }>;

/**
 * In this process, whose environment points at a fresh database: one owner with the small
 * number of friends and one with the large, each page timed alternately for the two (ABBA
 * order), so both sizes see the same machine: on a shared machine a run minutes later is
 * not comparable.
 */
async function measureSizes(small: number, large: number, calls: number): Promise<Points> {
  const [{ issueAccessToken }, { closeDb, getDb }, { toDbTimestamp }] = await Promise.all([
    import('../../lib/auth/tokens'),
    import('../../lib/db/connection'),
    import('../../lib/db/time'),
  ]);
  const [{ seedFriends }, { httpEvent, lambdaContext }, { handler }] = await Promise.all([
    import('../../test/helpers/friends'),
    import('../../test/helpers/invoke'),
    import('../../functions/friend/list'),
  ]);
  const db = await getDb();
  try {
    const now = toDbTimestamp();
    const owner = async (name: string, friends: number) => {
      const { insertId } = await db
        .insertInto('users')
        .values({
          username: name,
          username_key: name,
          username_skeleton: name, // plain ASCII names of its own: distinct keys suffice
          email: `${name}@example.com`,
          password_hash: 'not-a-real-hash',
          created_at: now,
          updated_at: now,
        })
        .executeTakeFirstOrThrow();
      const userId = Number(insertId);
      const session = await db
        .insertInto('sessions')
        .values({ user_id: userId, token_version: 0, created_at: now, revoked_at: null })
        .executeTakeFirstOrThrow();
      await seedFriends(userId, friends, `${name}f`);
      return issueAccessToken({ userId, tokenVersion: 0, sessionId: Number(session.insertId) })
        .access_token;
    };
    const tokens = { small: await owner('few', small), large: await owner('many', large) };

    const call = async (token: string, query: Record<string, string>) => {
      const result = await handler(httpEvent({ method: 'GET', token, query }), lambdaContext());
      if (result.statusCode !== 200) throw new Error(`friend list: ${result.statusCode}`);
      return JSON.parse(String(result.body)).data as { next_cursor: string | null };
    };
    /** The page's query: for the last page, follow next_cursor to the end (untimed). */
    const queryFor = async (token: string, limit: number | undefined, which: string) => {
      const base: Record<string, string> = limit === undefined ? {} : { limit: String(limit) };
      let query = base;
      if (which === 'last') {
        let data = await call(token, base);
        while (data.next_cursor !== null) {
          query = { ...base, cursor: data.next_cursor };
          data = await call(token, query);
        }
      }
      return query;
    };
    const timed = async (token: string, query: Record<string, string>, into: number[]) => {
      const before = performance.now();
      await call(token, query);
      into.push(performance.now() - before);
    };

    const points: Points = {};
    for (const [name, limit, which] of pages) {
      const few = await queryFor(tokens.small, limit, which);
      const many = await queryFor(tokens.large, limit, which);
      for (let warm = 0; warm < 30; warm += 1) {
        await call(tokens.small, few);
        await call(tokens.large, many);
      }
      const samples = { small: [] as number[], large: [] as number[] };
      const count = limit === undefined ? Math.ceil(calls / 3) : calls;
      for (let index = 0; index < count; index += 1) {
        if (index % 2 === 0) {
          await timed(tokens.small, few, samples.small);
          await timed(tokens.large, many, samples.large);
        } else {
          await timed(tokens.large, many, samples.large);
          await timed(tokens.small, few, samples.small);
        }
      }
      points[name] = {
        small: costPoint(small, samples.small),
        large: costPoint(large, samples.large),
      };
    }
    return points;
  } finally {
    await closeDb();
  }
}

/** Runs the measurement in a child process against a database of its own. */
function runChild(db: DbType, small: number, large: number, calls: number): Promise<Points> {
  const projectRoot = resolve(__dirname, '../..');
  const id = `${process.pid}_${Date.now().toString(36)}`;
  const sqlitePath = join(tmpdir(), `chat-costs-friends-${id}.sqlite`);
  const env = {
    ...process.env,
    DB_TYPE: db,
    SQLITE_PATH: sqlitePath,
    DB_NAME: `chat_costs_friends_${id}`,
    DB_POOL_SIZE: '2',
    JWT_SECRET_KEY: 'benchmark-secret-not-for-production-0123456789',
    RATE_LIMITS: 'off',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    NODE_ENV: 'production',
  };
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(projectRoot, 'bench/costs/friends.ts'),
      '--child',
      String(small),
      String(large),
      String(calls),
    ],
    { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath}${suffix}`, { force: true });
      if (code !== 0) reject(new Error(`friend list costs: exit code ${code}`));
      else resolvePromise(JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Points);
    });
  });
}

/** The child's side: a fresh MySQL database (or the fresh SQLite file), measured, dropped. */
async function childMain(small: number, large: number, calls: number): Promise<void> {
  const mysql = process.env.DB_TYPE === 'mysql';
  const admin = mysql ? await import('../../test/helpers/mysql-admin') : undefined;
  const name = process.env.DB_NAME ?? '';
  await admin?.dropDatabase(name);
  await admin?.createDatabase(name);
  try {
    process.stdout.write(`${JSON.stringify(await measureSizes(small, large, calls))}\n`);
  } finally {
    await admin?.dropDatabase(name);
  }
}

export async function measureFriendsCosts(db: DbType, scale: ScaleName): Promise<CostCase[]> {
  const { small, large, calls } = sizes[scale];
  const points = await runChild(db, small, large, calls);
  return pages.map(([name]) => {
    const missing = (size: number): CostPoint => ({ size, p50Ms: Number.NaN, p99Ms: Number.NaN });
    const { small: a, large: b } = points[name] ?? { small: missing(small), large: missing(large) };
    return costCase(name, 'friends', a, b);
  });
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--child') {
    await childMain(Number(argv[1]), Number(argv[2]), Number(argv[3]));
    return;
  }
  const option = (flag: string) => argv[argv.indexOf(flag) + 1];
  const db = (argv.includes('--db') ? option('--db') : 'sqlite') as DbType;
  const scale = (argv.includes('--scale') ? option('--scale') : 'small') as ScaleName;
  if (!['sqlite', 'mysql'].includes(db) || !['small', 'default'].includes(scale)) {
    throw new Error(
      'usage: npx tsx bench/costs/friends.ts --db sqlite|mysql --scale small|default',
    );
  }
  process.stdout.write(`${JSON.stringify(await measureFriendsCosts(db, scale), null, 2)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
