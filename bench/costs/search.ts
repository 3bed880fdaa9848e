/**
 * Issue 15, search: does a search page cost the same at 10k and at 1M users? For each size
 * a fresh database (the configured one, emptied: run this in its own process) is seeded
 * with users, Latin and Chinese names alike, and their username grams; then the real
 * `searchUsers` (lib/user-search.ts) runs 1-, 2- and 4-character keywords, limit 50.
 *
 *   npx tsx bench/costs/search.ts --db sqlite|mysql --scale small|default
 *
 * prints the cases as JSON. Sizes: default 10,000 and 1,000,000 users; small 2,000 and
 * 40,000 (well under 30 s per database).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../lib/db/schema';
import type { ScaleName } from '../options';
import type { DbType } from '../types';
import { costCase, costPoint, runCostModule } from './case';
import type { CostCase, CostPoint } from './types';

const LIMIT = 50;

const sizes: Record<ScaleName, { small: number; large: number; calls: number }> = {
  default: { small: 10_000, large: 1_000_000, calls: 400 },
  small: { small: 2_000, large: 40_000, calls: 150 },
};

/** Keywords per case, cycled through; each is common in the generated names. */
const keywordCases: Array<{ name: string; keywords: string[] }> = [
  { name: 'search 1-char Latin keyword', keywords: ['k', 's', 't', 'b', 'r'] },
  { name: 'search 1-char Chinese keyword', keywords: ['王', '李', '张', '刘', '陈'] },
  { name: 'search 2-char Latin keyword', keywords: ['ka', 'an', 'ri', 'to', 'se'] },
  { name: 'search 2-char Chinese keyword', keywords: ['王小', '李明', '张伟', '建国', '小红'] },
  { name: 'search 4-char Latin keyword', keywords: ['kasi', 'rota', 'sena', 'lobu', 'dika'] },
  {
    name: 'search 4-char Chinese keyword',
    keywords: ['欧阳小明', '司马建国', '诸葛文杰', '上官志强', '欧阳红梅'],
  },
];

// Deterministic names: the same distribution at every size.
const consonants = 'bdgkklmnprsstvz';
const vowels = 'aeiou';
const surnames = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗',
  ...['欧阳', '司马', '诸葛', '上官'],
];
const given = [...'小明伟建国红文杰志强梅华芳军丽敏静秀英玉兰海平刚涛磊洋勇艳娟霞鹏飞超辉'];

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** User `id`'s name: three Latin syllables (80%) or a Chinese name (20%), then the id. */
export function costUsername(id: number): string {
  const random = rng(id * 2654435761);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  let base = '';
  if (random() < 0.8) {
    for (let index = 0; index < 3; index += 1) base += pick([...consonants]) + pick([...vowels]);
  } else {
    base = pick(surnames) + pick(given) + (random() < 0.6 ? pick(given) : '');
  }
  return `${base}${id}`;
}

async function seed(db: Kysely<Database>, users: number, mysql: boolean): Promise<void> {
  const { usernameGramRows, usernameKey, usernameSkeleton } = await import('../../lib/usernames');
  const { toDbTimestamp } = await import('../../lib/db/time');
  const now = toDbTimestamp();
  const batch = mysql ? 4_000 : 2_500;
  // As a DBA would bulk-load: the read index is built once, after the rows.
  await (
    mysql
      ? sql`drop index username_grams_read_idx on username_grams`
      : sql`drop index username_grams_read_idx`
  ).execute(db);
  await db.connection().execute(async (connection) => {
    if (mysql) await sql`set foreign_key_checks = 0, unique_checks = 0`.execute(connection);
    else {
      await sql`pragma cache_size = -262144`.execute(connection);
      await sql`begin`.execute(connection);
    }
    let grams: ReturnType<typeof usernameGramRows> = [];
    for (let from = 1; from <= users; from += batch) {
      const rows = [];
      for (let id = from; id < Math.min(users + 1, from + batch); id += 1) {
        const username = costUsername(id);
        const row = {
          id,
          username,
          username_key: usernameKey(username),
          username_skeleton: usernameSkeleton(username),
          // Seeded names skip the look-alike check: every row keeps its own slot.
          skeleton_tiebreak: id,
          email: `u${id}@example.com`,
          password_hash: 'not-a-hash',
          token_version: 0,
          created_at: now,
          updated_at: now,
        };
        rows.push(row);
        grams.push(...usernameGramRows(row));
      }
      await connection.insertInto('users').values(rows).execute();
      for (let start = 0; start < grams.length; start += batch) {
        await connection
          .insertInto('username_grams')
          .values(grams.slice(start, start + batch))
          .execute();
      }
      grams = [];
    }
    await sql`create index username_grams_read_idx on username_grams (gram, username_key, user_id)`.execute(
      connection,
    );
    if (mysql) {
      await sql`set foreign_key_checks = 1, unique_checks = 1`.execute(connection);
      await sql`analyze table users, username_grams`.execute(connection);
    } else {
      await sql`commit`.execute(connection);
      await sql`analyze`.execute(connection);
    }
  });
}

async function measureSize(
  users: number,
  calls: number,
  mysql: boolean,
): Promise<Map<string, CostPoint>> {
  const { closeDb, getDb } = await import('../../lib/db/connection');
  const { resetDatabase } = await import('../seed');
  const { searchUsers } = await import('../../lib/user-search');
  await closeDb();
  await resetDatabase();
  const db = await getDb();
  await seed(db, users, mysql);

  const results = new Map<string, CostPoint>();
  const random = rng(7);
  for (const { name, keywords } of keywordCases) {
    const latencies: number[] = [];
    for (let index = 0; index < calls + 20; index += 1) {
      const keyword = keywords[index % keywords.length] ?? '';
      const caller = 1 + Math.floor(random() * users);
      const before = performance.now();
      await searchUsers(caller, keyword, LIMIT);
      // The first calls warm caches and statements up.
      if (index >= 20) latencies.push(performance.now() - before);
    }
    results.set(name, costPoint(users, latencies));
  }
  await closeDb();
  await resetDatabase();
  return results;
}

/**
 * The search cost cases at two sizes. Uses the configured database (DB_TYPE and its
 * settings), emptying it before and after each size; on MySQL, DB_QUERY_TIMEOUT_MS must
 * allow building an index over the seeded rows (the command line sets 600 s).
 */
export async function measureSearchCosts(db: DbType, scale: ScaleName): Promise<CostCase[]> {
  const { getConfig } = await import('../../lib/config');
  if (getConfig().db.type !== db) throw new Error(`DB_TYPE is ${getConfig().db.type}, not ${db}`);
  const { small, large, calls } = sizes[scale];
  const mysql = db === 'mysql';
  const atSmall = await measureSize(small, calls, mysql);
  const atLarge = await measureSize(large, calls, mysql);
  const missing = (size: number): CostPoint => ({ size, p50Ms: NaN, p99Ms: NaN });
  return keywordCases.map(({ name }) =>
    costCase(
      name,
      'users',
      atSmall.get(name) ?? missing(small),
      atLarge.get(name) ?? missing(large),
    ),
  );
}

if (require.main === module) {
  // Building the read index after a bulk load takes longer than a request may.
  runCostModule('search', measureSearchCosts, { DB_QUERY_TIMEOUT_MS: '600000' });
}
