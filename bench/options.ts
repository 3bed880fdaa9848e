import type { DbType } from './types';

/** How much data, and how many calls per measured run. */
export interface Scale {
  name: ScaleName;
  users: number;
  friendships: number;
  /** Messages at the low and the high scaling point; the high one is the full data set. */
  messages: { low: number; full: number };
  /** Users with a fixed slice of data that the read benchmarks use. */
  readers: {
    readers: number;
    /** Messages in each reader's long conversation; deep pages start halfway into it. */
    longConversation: number;
    shortConversations: number;
    shortLength: number;
  };
  /**
   * Chats of the one user with many (one message each, some pinned, muted or hidden): the
   * chat list's cost must not grow with chats beyond the page.
   */
  manyChats: number;
  /** Users kept for change_password, which ends every session of its user. */
  reservedUsers: number;
  /** Calls per measured run (each endpoint, each concurrency, handler and baseline). */
  calls: number;
  /** Calls per run for endpoints that run bcrypt (tens of milliseconds each by design). */
  bcryptCalls: number;
  /** A run stops early after this long, whatever its call count. */
  maxRunSeconds: number;
  /** Seconds per autocannon run through serverless-offline. */
  httpSeconds: number;
}

export type ScaleName = 'small' | 'default';

export const scales: Record<ScaleName, Scale> = {
  default: {
    name: 'default',
    users: 10_000,
    friendships: 100_000,
    // The low point holds the readers' 8,380 messages, the many-chats user's 2,000 and filler.
    messages: { low: 12_000, full: 1_000_000 },
    readers: { readers: 4, longConversation: 2_000, shortConversations: 19, shortLength: 5 },
    manyChats: 2_000,
    reservedUsers: 500,
    calls: 1_000,
    bcryptCalls: 40,
    maxRunSeconds: 6,
    httpSeconds: 10,
  },
  small: {
    name: 'small',
    users: 1_000,
    friendships: 5_000,
    messages: { low: 2_000, full: 20_000 },
    readers: { readers: 4, longConversation: 300, shortConversations: 9, shortLength: 4 },
    // Fewer than the default's 2,000, to fit the small low point (2,000 messages).
    manyChats: 400,
    reservedUsers: 100,
    calls: 150,
    bcryptCalls: 8,
    maxRunSeconds: 2,
    httpSeconds: 3,
  },
};

export type Stage = 'scaling' | 'endpoints' | 'cold' | 'http' | 'push' | 'costs' | 'long';
export const stages: readonly Stage[] = [
  'scaling',
  'endpoints',
  'cold',
  'http',
  'push',
  'costs',
  'long',
];

export interface BenchOptions {
  databases: DbType[];
  scale: Scale;
  stages: Stage[];
  /** Only endpoints whose name contains one of these (all when empty). */
  only: string[];
  /** Where results.json goes; the chart goes beside it as results.svg. */
  out: string;
}

const usage = `npm run bench -- [options]
  --db sqlite|mysql|both   database(s) to measure (default: DB_TYPE, else sqlite)
  --scale small|default    data set size (default: default)
  --skip scaling,endpoints,cold,http,push,costs,long   stages to leave out (costs: what
                           grows with data a user controls, bench/costs; long: many calls in
                           a row through serverless-offline, last window vs first, bench/long-run.ts)
  --only send,history      endpoints whose name contains one of these; a stage's name
                           (--only push, --only endpoints,send) runs only the stages named
  --out bench/results.json where to write results (and the chart beside it)`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index] ?? '';
    if (flag === '--help' || flag === '-h') throw new UsageError(usage);
    const [name, inline] = flag.split('=', 2);
    if (!name?.startsWith('--')) throw new UsageError(`unexpected argument ${flag}\n${usage}`);
    const value = inline ?? argv[(index += 1)];
    if (value === undefined) throw new UsageError(`${name} needs a value\n${usage}`);
    values.set(name.slice(2), value);
  }
  for (const name of values.keys()) {
    if (!['db', 'scale', 'skip', 'only', 'out'].includes(name)) {
      throw new UsageError(`unknown option --${name}\n${usage}`);
    }
  }

  const db = values.get('db') ?? (process.env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite');
  if (!['sqlite', 'mysql', 'both'].includes(db)) throw new UsageError(`--db ${db}?\n${usage}`);
  const scaleName = values.get('scale') ?? 'default';
  if (scaleName !== 'small' && scaleName !== 'default') {
    throw new UsageError(`--scale ${scaleName}?\n${usage}`);
  }
  const list = (name: string) =>
    (values.get(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const skipped = list('skip');
  for (const stage of skipped) {
    if (!stages.includes(stage as Stage)) throw new UsageError(`--skip ${stage}?\n${usage}`);
  }
  const isStage = (item: string): item is Stage => stages.includes(item as Stage);
  const only = list('only');
  const named = only.filter(isStage);
  return {
    databases: db === 'both' ? ['sqlite', 'mysql'] : [db as DbType],
    scale: scales[scaleName],
    stages: stages.filter(
      (stage) => !skipped.includes(stage) && (named.length === 0 || named.includes(stage)),
    ),
    only: only.filter((item) => !isStage(item)),
    out: values.get('out') ?? 'bench/results.json',
  };
}

export class UsageError extends Error {
  override name = 'UsageError';
}
