import { sql, type Kysely } from 'kysely';
import { assertNotBlocked } from './blocks';
import { AppError } from './errors';
import { getDb, type DatabaseClient } from './db/connection';
import { uniqueViolation } from './db/errors';
import { isMysql } from './db/dialect';
import type { Database, UserRow } from './db/schema';
import { toDbTimestamp, toIsoTimestamp } from './db/time';
import { inTransaction } from './db/transaction';
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

/**
 * Makes the caller and the named user friends, both ways at once (the brief's model: no
 * requests to accept). The friendship's primary key makes concurrent A->B and B->A adds
 * leave exactly one row; the loser gets ALREADY_FRIENDS. While either blocks the other it
 * is BLOCKED, checked in the same transaction as the insert.
 */
export async function addFriend(user: UserRow, friendUsername: string): Promise<Friend> {
  const db = await getDb();
  const friend = await findUserByName(db, friendUsername);
  if (!friend) throw new AppError('USER_NOT_FOUND');
  if (friend.id === user.id) throw new AppError('CANNOT_ADD_SELF');

  const since = toDbTimestamp();
  try {
    await inTransaction(db, async (trx) => {
      await assertNotBlocked(trx, user.id, friend.id);
      await trx
        .insertInto('friendships')
        .values({ ...friendshipKey(user.id, friend.id), created_by: user.id, created_at: since })
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

/** The caller's friends, by username without regard to case (then id), each marked if the caller blocks them. */
export async function listFriends(userId: number): Promise<FriendEntry[]> {
  const db = await getDb();
  // Two index range reads (one per side of the pair) instead of an OR across both columns;
  // the caller's block of each friend is a primary-key lookup.
  const side = (
    mine: 'f.user_low_id' | 'f.user_high_id',
    theirs: 'f.user_low_id' | 'f.user_high_id',
  ) =>
    db
      .selectFrom('friendships as f')
      .innerJoin('users as u', 'u.id', theirs)
      .leftJoin('blocks as b', (join) =>
        join.on('b.blocker_id', '=', userId).onRef('b.blocked_id', '=', 'u.id'),
      )
      .where(mine, '=', userId)
      .select((eb) => [
        'u.id',
        'u.username',
        'u.username_key',
        'u.created_at',
        'f.created_at as since',
        eb('b.blocker_id', 'is not', null).as('blocked'),
      ]);
  const rows = await side('f.user_low_id', 'f.user_high_id')
    .unionAll(side('f.user_high_id', 'f.user_low_id'))
    .orderBy('username_key')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    created_at: toIsoTimestamp(row.created_at),
    since: toIsoTimestamp(row.since),
    blocked: Boolean(row.blocked),
  }));
}

/** Ends a friendship for both sides. Messages and chat entries stay. */
export async function removeFriend(userId: number, friendId: number): Promise<void> {
  const db = await getDb();
  if (friendId === userId) throw new AppError('FRIEND_NOT_FOUND');
  const result = await db
    .deleteFrom('friendships')
    .where((eb) => eb.and(friendshipKey(userId, friendId)))
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new AppError('FRIEND_NOT_FOUND');
  await publish({ to: [friendId], event: { type: 'friend.removed', data: { friend_id: userId } } });
}

/**
 * Whether two users are friends. With `lock` (inside a transaction) MySQL takes a shared
 * lock on the friendship, so it cannot be removed before the transaction ends; SQLite's
 * write transaction already excludes every other writer.
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
  if (options.lock && isMysql(db)) query = query.modifyEnd(sql`lock in share mode`);
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
