import { sql, type Kysely } from 'kysely';
import { getDb } from './db/connection';
import { throughIndex } from './db/index-hints';
import type { Database } from './db/schema';
import { friendIdsAmong, likeLiteral } from './friends';
import { characterCount } from './http/validation';
import { consumeLimit } from './rate-limits';
import { normalizeEmail } from './users';
import { containsGrams, normalizeUsername, prefixGram, usernameSkeleton } from './usernames';
import type { UserSearchResult as SearchResult } from './api/schemas';

/**
 * Gram frequencies are counted up to this many rows: enough to tell a rare gram from a
 * common one, and the count's cost stays bounded however many users share a gram.
 */
const COUNT_CAP = 200;

/** A long keyword is looked up by this many of its grams (the skeleton check does the rest). */
const MAX_GRAMS = 4;

/** Up to `count` items of `list`, first and last included, evenly spaced. */
function spread<T>(list: readonly T[], count: number): T[] {
  if (list.length <= count) return [...list];
  return Array.from(
    { length: count },
    (_, index) => list[Math.round((index * (list.length - 1)) / (count - 1))] as T,
  );
}

interface Found {
  id: number;
  username: string;
}

/**
 * Users whose username contains `keyword` (a one-character keyword: starts with it),
 * compared by skeleton (lib/usernames.ts): without regard to case or compatibility forms,
 * and look-alikes match (`аlice` in Cyrillic finds `alice`); `%`, `_` and `\` are plain
 * characters. A keyword with `@` is an exact email lookup instead (usernames have no `@`),
 * limited per caller. Never the caller. Exact skeleton match first, then prefix matches,
 * then the rest; by username key inside each group.
 *
 * The cost follows the matches, not the users: each group is read from username_grams in
 * username order and stops after `limit` rows. Prefix matches come from one prefix gram
 * (the keyword's first four characters), the rest from the keyword itself as a gram (up to
 * four characters) or its rarest four-character substring, the others checked by primary
 * key; the skeleton is checked last (`like`).
 */
export async function searchUsers(
  userId: number,
  keyword: string,
  limit: number,
): Promise<SearchResult[]> {
  const db = await getDb();
  const rows = keyword.includes('@')
    ? await findByEmail(db, userId, keyword)
    : await findByUsername(db, userId, keyword, limit);
  const friends = await friendIdsAmong(
    db,
    userId,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    is_friend: friends.has(row.id),
  }));
}

/** Counted before the lookup, found or not: the limit is on probing emails. */
async function findByEmail(
  db: Kysely<Database>,
  userId: number,
  keyword: string,
): Promise<Found[]> {
  await consumeLimit('searchEmailPerUser', `user:${userId}`);
  return db
    .selectFrom('users')
    .select(['id', 'username'])
    .where('email', '=', normalizeEmail(keyword))
    .where('id', '!=', userId)
    .execute();
}

async function findByUsername(
  db: Kysely<Database>,
  userId: number,
  keyword: string,
  limit: number,
): Promise<Found[]> {
  const key = usernameSkeleton(keyword);
  // One character (as typed, after NFKC) matches prefixes only; so does a keyword whose
  // skeleton is a single code point (only prefixes have one-character grams).
  const prefixOnly = characterCount(normalizeUsername(keyword)) === 1 || [...key].length < 2;
  const grams = prefixOnly ? [] : spread(containsGrams(key), MAX_GRAMS);
  const counts = await gramCounts(db, grams);

  const found: Found[] = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .where('username_skeleton', '=', key)
    .where('id', '!=', userId)
    .orderBy('username_key')
    .orderBy('id')
    .limit(limit)
    .execute();
  if (found.length < limit) {
    // Every row of the prefix gram starts with the keyword's first four characters.
    found.push(
      ...(await readGroup(db, {
        userId,
        key,
        grams: [prefixGram(key)],
        like: `${likeLiteral(key)}%`,
        notLike: undefined,
        limit: limit - found.length,
      })),
    );
  }
  if (found.length < limit && grams.length > 0 && grams.every((gram) => counts.get(gram) !== 0)) {
    found.push(
      ...(await readGroup(db, {
        userId,
        key,
        grams: rarestFirst(grams, counts),
        like: `%${likeLiteral(key)}%`,
        notLike: `${likeLiteral(key)}%`,
        limit: limit - found.length,
      })),
    );
  }
  return found;
}

/**
 * How many users have each gram, counted up to COUNT_CAP: one query, whose cost stays
 * bounded however many users share a gram. A single gram needs no count.
 */
async function gramCounts(db: Kysely<Database>, grams: string[]): Promise<Map<string, number>> {
  if (grams.length <= 1) return new Map();
  const row = await db
    .selectNoFrom((eb) =>
      grams.map((gram, index) =>
        eb
          .selectFrom(
            eb
              .selectFrom('username_grams')
              .select('user_id')
              .where('gram', '=', gram)
              .limit(COUNT_CAP)
              .as('capped'),
          )
          .select((inner) => inner.fn.countAll<number>().as('n'))
          .as(`g${index}`),
      ),
    )
    .executeTakeFirstOrThrow();
  const values = row as Record<string, number | string | null>;
  return new Map(grams.map((gram, index) => [gram, Number(values[`g${index}`] ?? 0)]));
}

function rarestFirst(grams: string[], counts: Map<string, number>): string[] {
  return [...grams].sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0));
}

/**
 * One group's page: the rarest gram's users in username order, kept when they have every
 * other gram (a primary-key probe each) and their skeleton really matches (`like`; grams
 * alone allow `abca_bcab` for `abcab`), until `limit` rows are found.
 */
async function readGroup(
  db: Kysely<Database>,
  query: {
    userId: number;
    key: string;
    grams: string[];
    like: string;
    notLike: string | undefined;
    limit: number;
  },
): Promise<Found[]> {
  const [driver = '', ...others] = query.grams;
  let select = db
    .selectFrom(throughIndex(db, 'username_grams', 'username_grams_read_idx', 'g'))
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['u.id', 'u.username'])
    .where('g.gram', '=', driver)
    .where('g.user_id', '!=', query.userId)
    .where('u.username_skeleton', '!=', query.key)
    .where(sql<boolean>`u.username_skeleton like ${query.like} escape '!'`);
  for (const gram of others) {
    select = select.where((eb) =>
      eb.exists(
        eb
          .selectFrom('username_grams as other')
          .select('other.gram')
          .whereRef('other.user_id', '=', 'g.user_id')
          .where('other.gram', '=', gram),
      ),
    );
  }
  if (query.notLike !== undefined) {
    select = select.where(sql<boolean>`u.username_skeleton not like ${query.notLike} escape '!'`);
  }
  return select.orderBy('g.username_key').orderBy('g.user_id').limit(query.limit).execute();
}
