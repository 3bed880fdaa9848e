import { sql, type Kysely } from 'kysely';
import { getDb } from './db/connection';
import { throughIndex } from './db/index-hints';
import type { Database } from './db/schema';
import { friendIdsAmong, likeLiteral } from './friends';
import { characterCount } from './http/validation';
import { consumeLimit } from './rate-limits';
import { normalizeEmail } from './users';
import { normalizeUsername, searchGrams, usernameSkeleton } from './usernames';
import type { UserSearchResult as SearchResult } from './api/schemas';

/**
 * Gram frequencies and prefix matches are counted up to this many rows: enough to tell
 * rare from common, and the count's cost stays bounded however many users match.
 */
const COUNT_CAP = 200;

/** Sorts after any character a skeleton can hold (U+10FFFF is a noncharacter). */
const PAST_EVERY_CHARACTER = '\u{10FFFF}';

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
 * username order, starting from the keyword's rarest gram, and stops after `limit` rows.
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
  // skeleton is a single code point, which has no bigram to look for.
  const prefixOnly = characterCount(normalizeUsername(keyword)) === 1 || [...key].length < 2;
  const prefixGrams = searchGrams(key, 'prefix');
  const containsGrams = prefixOnly ? [] : searchGrams(key, 'contains');
  const counts = await countCandidates(db, key, [...new Set([...prefixGrams, ...containsGrams])]);

  const found: Found[] = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .where('username_skeleton', '=', key)
    .where('id', '!=', userId)
    .orderBy('username_key')
    .orderBy('id')
    .limit(limit)
    .execute();
  if (found.length < limit && counts.prefixes < COUNT_CAP) {
    // Few names start with the keyword: read them all by skeleton range and sort them,
    // rather than walk a common first gram's users looking for them.
    found.push(
      ...(await db
        .selectFrom('users')
        .select(['id', 'username'])
        .where('username_skeleton', '>', key)
        .where('username_skeleton', '<', `${key}${PAST_EVERY_CHARACTER}`)
        .where('id', '!=', userId)
        .orderBy('username_key')
        .orderBy('id')
        .limit(limit - found.length)
        .execute()),
    );
  } else if (found.length < limit && prefixGrams.every((gram) => counts.grams.get(gram) !== 0)) {
    found.push(
      ...(await readGroup(db, {
        userId,
        key,
        grams: rarestFirst(prefixGrams, counts.grams),
        like: `${likeLiteral(key)}%`,
        notLike: undefined,
        limit: limit - found.length,
      })),
    );
  }
  if (
    found.length < limit &&
    !prefixOnly &&
    containsGrams.every((gram) => counts.grams.get(gram) !== 0)
  ) {
    found.push(
      ...(await readGroup(db, {
        userId,
        key,
        grams: rarestFirst(containsGrams, counts.grams),
        like: `%${likeLiteral(key)}%`,
        notLike: `${likeLiteral(key)}%`,
        limit: limit - found.length,
      })),
    );
  }
  return found;
}

/**
 * How many users have each gram, and how many skeletons start with `key`, each counted up
 * to COUNT_CAP: one query, whose cost stays bounded however many users share a gram.
 */
async function countCandidates(
  db: Kysely<Database>,
  key: string,
  grams: string[],
): Promise<{ grams: Map<string, number>; prefixes: number }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom(
          eb
            .selectFrom('users')
            .select('id')
            .where('username_skeleton', '>=', key)
            .where('username_skeleton', '<', `${key}${PAST_EVERY_CHARACTER}`)
            .limit(COUNT_CAP)
            .as('capped'),
        )
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .as('prefixes'),
      ...grams.map((gram, index) =>
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
    ])
    .executeTakeFirstOrThrow();
  const values = row as Record<string, number | string | null>;
  return {
    grams: new Map(grams.map((gram, index) => [gram, Number(values[`g${index}`] ?? 0)])),
    prefixes: Number(values.prefixes ?? 0),
  };
}

function rarestFirst(grams: string[], counts: Map<string, number>): string[] {
  return [...grams].sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0));
}

/**
 * One group's page: the rarest gram's users in username order, kept when they have every
 * other gram (a primary-key probe each) and their skeleton really matches (`like`; grams
 * alone allow `ab…ba` for `aba`), until `limit` rows are found.
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
