import { sql, type Kysely } from 'kysely';
import { assertNotBlocked } from './blocks';
import { AppError } from './errors';
import { getDb, type DatabaseClient } from './db/connection';
import { uniqueViolation } from './db/errors';
import { isMysql } from './db/dialect';
import type { Database, UserRow } from './db/schema';
import { toDbTimestamp, toIsoTimestamp } from './db/time';
import { inTransaction } from './db/transaction';
import { consumeLimit } from './rate-limits';
import { publish } from './realtime/publish';
import { findUserByName, publicView } from './users';
import type { Friend, FriendEntry } from './api/schemas';

// A friend (public fields and when the friendship began), a friend list entry (and whether
// the caller blocks them), a search result.
export type { Friend, FriendEntry, UserSearchResult as SearchResult } from './api/schemas';

/** A friendship is stored once, as the ordered pair, so one key covers both directions. */
export function friendshipKey(a: number, b: number): { user_low_id: number; user_high_id: number } {
  return a < b ? { user_low_id: a, user_high_id: b } : { user_low_id: b, user_high_id: a };
}

/** The most friends a user may have (the contract's cap, for both sides of an add). */
export const MAX_FRIENDS = 5000;

/**
 * Locks both users' rows, lower id first, and returns them: every add and remove takes
 * these locks before anything else, so two of them touching a common user wait their turn
 * (no deadlock) and the friend counts, and with them the cap, stay exact. SQLite's write
 * transaction already excludes every other writer.
 */
async function lockPair(trx: Kysely<Database>, a: number, b: number) {
  return trx
    .selectFrom('users')
    .select(['id', 'username_key', 'friend_count'])
    .where('id', 'in', [a, b])
    .orderBy('id')
    .$if(isMysql(trx), (query) => query.forUpdate())
    .execute();
}

/**
 * Makes the caller and the named user friends, both ways at once (the brief's model: no
 * requests to accept). Every attempt counts against the caller's add limit first, whatever
 * its answer, so a list of names cannot be walked. In one transaction, under both users'
 * locks: BLOCKED while either blocks the other, ALREADY_FRIENDS for an existing pair (the
 * friendship's primary key: of concurrent A->B and B->A adds one wins), FRIEND_LIMIT_REACHED
 * when either side already has MAX_FRIENDS; then both list entries and both counts.
 */
export async function addFriend(user: UserRow, friendUsername: string): Promise<Friend> {
  await consumeLimit('friendAddPerUser', String(user.id));
  const db = await getDb();
  const friend = await findUserByName(db, friendUsername);
  if (!friend) throw new AppError('USER_NOT_FOUND');
  if (friend.id === user.id) throw new AppError('CANNOT_ADD_SELF');

  const since = toDbTimestamp();
  try {
    await inTransaction(db, async (trx) => {
      const pair = await lockPair(trx, user.id, friend.id);
      await assertNotBlocked(trx, user.id, friend.id);
      // An existing pair fails here (ALREADY_FRIENDS, below), before the cap is looked at.
      await trx
        .insertInto('friendships')
        .values({ ...friendshipKey(user.id, friend.id), created_by: user.id, created_at: since })
        .execute();
      if (pair.some((row) => row.friend_count >= MAX_FRIENDS)) {
        throw new AppError('FRIEND_LIMIT_REACHED');
      }
      await trx
        .insertInto('friend_entries')
        .values([
          { owner_id: user.id, friend_key: friend.username_key, friend_id: friend.id, since },
          { owner_id: friend.id, friend_key: user.username_key, friend_id: user.id, since },
        ])
        .execute();
      await trx
        .updateTable('users')
        .set({ friend_count: sql<number>`friend_count + 1` })
        .where('id', 'in', [user.id, friend.id])
        .execute();
    });
  } catch (error) {
    if (uniqueViolation(error) !== undefined) {
      throw new AppError('ALREADY_FRIENDS', undefined, { cause: error });
    }
    throw error;
  }
  await publish({
    to: [friend.id],
    event: {
      type: 'friend.added',
      data: { friend: { ...publicView(user), since: toIsoTimestamp(since) } },
    },
  });
  return {
    id: friend.id,
    username: friend.username,
    created_at: toIsoTimestamp(friend.created_at),
    since: toIsoTimestamp(since),
  };
}

/** Where a friend list page ends: the last entry's username key and id. */
export interface FriendCursor {
  key: string;
  id: number;
}

/** The opaque `next_cursor` of a page: base64url of the JSON `[key, id]`. */
export function encodeFriendCursor(cursor: FriendCursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id]), 'utf8').toString('base64url');
}

/**
 * A cursor as encodeFriendCursor made it, or undefined for anything else (garbled, forged,
 * re-encoded). Any well-formed cursor is only a position in username order, so one taken
 * from another user's list reveals nothing. Keys with whitespace or control characters are
 * refused: no username has them, and MySQL's padding rules would compare them differently.
 */
export function parseFriendCursor(text: string): FriendCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [key, id] = value as unknown[];
  if (typeof key !== 'string' || key.length === 0 || key.length > 128) return undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return undefined;
  if (/[\s\p{Cc}\p{Cs}]/u.test(key)) return undefined;
  const cursor = { key, id };
  return encodeFriendCursor(cursor) === text ? cursor : undefined;
}

/** One page of the friend list, the total, and where the next page starts (null: no more). */
export interface FriendPage {
  friends: FriendEntry[];
  count: number;
  next_cursor: string | null;
}

/**
 * A page of the caller's friends, by username without regard to case (then id), each marked
 * if the caller blocks them: the `limit` entries after `after` (from the start without it).
 * One primary-key range read of friend_entries in its own order, each friend and block a
 * key lookup; the total is the caller's friend_count, read with the caller's row when the
 * token was checked. The cost of a page does not grow with the number of friends.
 */
export async function listFriends(
  caller: Pick<UserRow, 'id' | 'friend_count'>,
  options: { limit: number; after?: FriendCursor | undefined },
): Promise<FriendPage> {
  const db = await getDb();
  const userId = caller.id;
  const { limit, after } = options;
  const rows = await db
    .selectFrom('friend_entries as e')
    .innerJoin('users as u', 'u.id', 'e.friend_id')
    .leftJoin('blocks as b', (join) =>
      join.on('b.blocker_id', '=', userId).onRef('b.blocked_id', '=', 'e.friend_id'),
    )
    .where('e.owner_id', '=', userId)
    // After (key, id). `key >= k` is what both databases seek to in the primary key (with
    // only the OR, SQLite read the owner's entries from the first); the OR then drops the
    // rows of key k up to id.
    .$if(after !== undefined, (query) =>
      query
        .where('e.friend_key', '>=', after?.key ?? '')
        .where((eb) =>
          eb.or([
            eb('e.friend_key', '>', after?.key ?? ''),
            eb('e.friend_id', '>', after?.id ?? 0),
          ]),
        ),
    )
    .select((eb) => [
      'u.id',
      'u.username',
      'u.created_at',
      'e.friend_key',
      'e.since',
      eb('b.blocker_id', 'is not', null).as('blocked'),
    ])
    .orderBy('e.friend_key')
    .orderBy('e.friend_id')
    // One more than asked: whether another page follows, without a second query.
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    friends: page.map((row) => ({
      id: row.id,
      username: row.username,
      created_at: toIsoTimestamp(row.created_at),
      since: toIsoTimestamp(row.since),
      blocked: Boolean(row.blocked),
    })),
    count: caller.friend_count,
    next_cursor:
      rows.length > limit && last
        ? encodeFriendCursor({ key: last.friend_key, id: last.id })
        : null,
  };
}

/**
 * Ends a friendship for both sides, under both users' locks (as add takes them): the
 * friendship, both list entries and both counts. Messages and chat entries stay.
 */
export async function removeFriend(userId: number, friendId: number): Promise<void> {
  const db = await getDb();
  if (friendId === userId) throw new AppError('FRIEND_NOT_FOUND');
  const removed = await inTransaction(db, async (trx) => {
    const pair = await lockPair(trx, userId, friendId);
    const result = await trx
      .deleteFrom('friendships')
      .where((eb) => eb.and(friendshipKey(userId, friendId)))
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) return false;
    // Each side's entry by its whole primary key: the other user's key is in the pair.
    for (const owner of pair) {
      const other = pair.find((row) => row.id !== owner.id);
      if (!other) continue;
      await trx
        .deleteFrom('friend_entries')
        .where('owner_id', '=', owner.id)
        .where('friend_key', '=', other.username_key)
        .where('friend_id', '=', other.id)
        .execute();
    }
    await trx
      .updateTable('users')
      .set({ friend_count: sql<number>`friend_count - 1` })
      .where('id', 'in', [userId, friendId])
      .execute();
    return true;
  });
  if (!removed) throw new AppError('FRIEND_NOT_FOUND');
  await publish({ to: [friendId], event: { type: 'friend.removed', data: { friend_id: userId } } });
}

/**
 * Whether two users are friends. With `lock` (inside a transaction) MySQL locks the
 * friendship exclusively, so it cannot be removed before the transaction ends and the
 * pair's sends take turns (read watermarks rely on it: lib/read-state.ts); SQLite's write
 * transaction already excludes every other writer.
 */
export async function areFriends(
  db: Kysely<Database>,
  a: number,
  b: number,
  options: { lock?: boolean } = {},
): Promise<boolean> {
  let query = db
    .selectFrom('friendships')
    .select('created_at')
    .where((eb) => eb.and(friendshipKey(a, b)));
  if (options.lock && isMysql(db)) query = query.forUpdate();
  return (await query.executeTakeFirst()) !== undefined;
}

/** Which of `otherIds` are friends of `userId`. */
export async function friendIdsAmong(
  db: DatabaseClient,
  userId: number,
  otherIds: readonly number[],
): Promise<Set<number>> {
  const lower = otherIds.filter((id) => id < userId);
  const higher = otherIds.filter((id) => id > userId);
  if (lower.length === 0 && higher.length === 0) return new Set();
  const rows = await db
    .selectFrom('friendships')
    .select(['user_low_id', 'user_high_id'])
    .where((eb) => {
      const sides = [];
      if (lower.length > 0) {
        sides.push(eb.and([eb('user_high_id', '=', userId), eb('user_low_id', 'in', lower)]));
      }
      if (higher.length > 0) {
        sides.push(eb.and([eb('user_low_id', '=', userId), eb('user_high_id', 'in', higher)]));
      }
      return eb.or(sides);
    })
    .execute();
  return new Set(
    rows.map((row) => (row.user_low_id === userId ? row.user_high_id : row.user_low_id)),
  );
}

/** LIKE's escape character: `!`, because a backslash means different things on MySQL and SQLite. */
export function likeLiteral(text: string): string {
  return text.replace(/[!%_]/g, '!$&');
}
