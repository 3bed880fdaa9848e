/**
 * Issue 15's friend list costs: the first and the last page of GET /api/friend/list, at a
 * limit of 50 and at the default (1,000), for a user with few friends and one with many
 * (`default`: 50 and 5,000; `small`: 50 and 1,000). Each size is measured in a child
 * process of its own against a fresh database (a new SQLite file or MySQL database,
 * dropped afterwards), through the real handler in-process, one call at a time.
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
import type { CostCase, CostPoint } from './types';

const TARGET = 1.3;

const sizes: Record<ScaleName, { small: number; large: number; calls: number }> = {
  default: { small: 50, large: 5000, calls: 300 },
  small: { small: 50, large: 1000, calls: 60 },
};

/** The pages measured: [name, limit (undefined: the default), which page]. */
const pages: readonly [string, number | undefined, 'first' | 'last'][] = [
  ['friend list first page, limit=50', 50, 'first'],
  ['friend list last page, limit=50', 50, 'last'],
  ['friend list first page, default limit (1000)', undefined, 'first'],
  ['friend list last page, default limit (1000)', undefined, 'last'],
];

type SizePoints = Record<string, { p50Ms: number; p99Ms: number }>;

/** One size, in this process: the environment already points at a fresh database. */
async function measureSize(size: number, calls: number): Promise<SizePoints> {
  const [{ issueAccessToken }, { closeDb, getDb }, { toDbTimestamp }, { measure }] =
    await Promise.all([
      import('../../lib/auth/tokens'),
      import('../../lib/db/connection'),
      import('../../lib/db/time'),
      import('../measure'),
    ]);
  const [{ seedFriends }, { httpEvent, lambdaContext }, { handler }] = await Promise.all([
    import('../../test/helpers/friends'),
    import('../../test/helpers/invoke'),
    import('../../functions/friend/list'),
  ]);
  const db = await getDb();
  try {
    const now = toDbTimestamp();
    const { insertId } = await db
      .insertInto('users')
      .values({
        username: 'owner',
        username_key: 'owner',
        email: 'owner@example.com',
        password_hash: 'not-a-real-hash',
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const ownerId = Number(insertId);
    const session = await db
      .insertInto('sessions')
      .values({ user_id: ownerId, token_version: 0, created_at: now, revoked_at: null })
      .executeTakeFirstOrThrow();
    // Other users with friends of their own, so the owner's entries are not the whole table.
    await seedFriends(ownerId, size, 'f');
    const token = issueAccessToken({
      userId: ownerId,
      tokenVersion: 0,
      sessionId: Number(session.insertId),
    }).access_token;

    const call = async (query: Record<string, string>) => {
      const result = await handler(httpEvent({ method: 'GET', token, query }), lambdaContext());
      if (result.statusCode !== 200) throw new Error(`friend list: ${result.statusCode}`);
      return JSON.parse(String(result.body)).data as { next_cursor: string | null };
    };
    const points: SizePoints = {};
    for (const [name, limit, which] of pages) {
      const base: Record<string, string> = limit === undefined ? {} : { limit: String(limit) };
      // The last page's query: follow next_cursor to the end, outside the timing.
      let query = base;
      if (which === 'last') {
        let data = await call(base);
        while (data.next_cursor !== null) {
          query = { ...base, cursor: data.next_cursor };
          data = await call(query);
        }
      }
      for (let warm = 0; warm < 30; warm += 1) await call(query);
      let made = 0;
      const summary = await measure(() => (made++ < calls ? () => call(query) : undefined), {
        calls,
        concurrency: 1,
        maxMs: 60_000,
      });
      points[name] = { p50Ms: summary.p50Ms, p99Ms: summary.p99Ms };
    }
    return points;
  } finally {
    await closeDb();
  }
}

/** Runs one size in a child process against a database of its own; returns its points. */
function runSize(db: DbType, size: number, calls: number): Promise<SizePoints> {
  const projectRoot = resolve(__dirname, '../..');
  const id = `${process.pid}_${size}`;
  const sqlitePath = join(tmpdir(), `chat-costs-friends-${id}.sqlite`);
  const databaseName = `chat_costs_friends_${id}`;
  const env = {
    ...process.env,
    DB_TYPE: db,
    SQLITE_PATH: sqlitePath,
    DB_NAME: databaseName,
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
      String(size),
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
      if (code !== 0) reject(new Error(`friend list costs at ${size} friends: exit code ${code}`));
      else resolvePromise(JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as SizePoints);
    });
  });
}

/** The child's side: a fresh MySQL database (or the fresh SQLite file), measured, dropped. */
async function childMain(size: number, calls: number): Promise<void> {
  const mysql = process.env.DB_TYPE === 'mysql';
  const admin = mysql ? await import('../../test/helpers/mysql-admin') : undefined;
  const name = process.env.DB_NAME ?? '';
  await admin?.dropDatabase(name);
  await admin?.createDatabase(name);
  try {
    process.stdout.write(`${JSON.stringify(await measureSize(size, calls))}\n`);
  } finally {
    await admin?.dropDatabase(name);
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

export async function measureFriendsCosts(db: DbType, scale: ScaleName): Promise<CostCase[]> {
  const { small, large, calls } = sizes[scale];
  const few = await runSize(db, small, calls);
  const many = await runSize(db, large, calls);
  return pages.map(([name]) => {
    const a = few[name] ?? { p50Ms: Number.NaN, p99Ms: Number.NaN };
    const b = many[name] ?? { p50Ms: Number.NaN, p99Ms: Number.NaN };
    const smallPoint: CostPoint = { size: small, ...a };
    const largePoint: CostPoint = { size: large, ...b };
    const ratioP50 = round(b.p50Ms / a.p50Ms);
    const ratioP99 = round(b.p99Ms / a.p99Ms);
    return {
      name,
      sizeLabel: 'friends',
      small: smallPoint,
      large: largePoint,
      ratioP50,
      ratioP99,
      target: TARGET,
      met: ratioP50 <= TARGET && ratioP99 <= TARGET,
    };
  });
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--child') {
    await childMain(Number(argv[1]), Number(argv[2]));
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
