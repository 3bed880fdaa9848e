import { sql, type Kysely } from 'kysely';
import { getDb } from '../../lib/db/connection';
import type { Database } from '../../lib/db/schema';
import { toDbTimestamp } from '../../lib/db/time';
import { friendshipKey } from '../../lib/friends';
import { usernameKey } from '../../lib/users';
import { usernameSkeleton } from '../../lib/usernames';

/** A few hundred rows per statement: well under both databases' placeholder limits. */
const CHUNK = 400;

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    await write(rows.slice(start, start + CHUNK));
  }
}

/**
 * Gives `ownerId` `count` new friends straight in the tables, as the add transaction would
 * leave them (friendships, both list entries, both counts), without a request each: the
 * large sizes of the cap tests and the benchmark. Names mix case and scripts so that the
 * list order is exercised; returns the friends in id order.
 */
export async function seedFriends(
  ownerId: number,
  count: number,
  prefix: string,
  db?: Kysely<Database>,
): Promise<{ id: number; username: string }[]> {
  const database = db ?? (await getDb());
  const now = toDbTimestamp();
  const heads = ['A', 'b', 'Ä', 'ж', '张', 'Z', 'é', '_'];
  const names = Array.from(
    { length: count },
    (_, index) => `${heads[index % heads.length]}${prefix}${index}`,
  );
  await inChunks(names, (chunk) =>
    database
      .insertInto('users')
      .values(
        chunk.map((username) => ({
          username,
          username_key: usernameKey(username),
          username_skeleton: usernameSkeleton(username),
          email: `${usernameKey(username)}@example.com`,
          password_hash: 'not-a-real-hash',
          created_at: now,
          updated_at: now,
          friend_count: 1,
        })),
      )
      .execute(),
  );
  const friends: { id: number; username: string; username_key: string }[] = [];
  await inChunks(names, async (chunk) => {
    const rows = await database
      .selectFrom('users')
      .select(['id', 'username', 'username_key'])
      .where(
        'username_key',
        'in',
        chunk.map((name) => usernameKey(name)),
      )
      .execute();
    friends.push(...rows);
  });
  friends.sort((a, b) => a.id - b.id);
  const owner = await database
    .selectFrom('users')
    .select('username_key')
    .where('id', '=', ownerId)
    .executeTakeFirstOrThrow();
  await inChunks(friends, (chunk) =>
    database
      .insertInto('friendships')
      .values(
        chunk.map((friend) => ({
          ...friendshipKey(ownerId, friend.id),
          created_by: ownerId,
          created_at: now,
        })),
      )
      .execute(),
  );
  await inChunks(friends, (chunk) =>
    database
      .insertInto('friend_entries')
      .values(
        chunk.flatMap((friend) => [
          { owner_id: ownerId, friend_key: friend.username_key, friend_id: friend.id, since: now },
          { owner_id: friend.id, friend_key: owner.username_key, friend_id: ownerId, since: now },
        ]),
      )
      .execute(),
  );
  await database
    .updateTable('users')
    .set({ friend_count: sql<number>`friend_count + ${count}` })
    .where('id', '=', ownerId)
    .execute();
  return friends.map(({ id, username }) => ({ id, username }));
}

/** The list order before pages (the old query, kept as the oracle): every friend, by username key then id. */
export async function fullListOrder(userId: number): Promise<number[]> {
  const db = await getDb();
  const side = (
    mine: 'f.user_low_id' | 'f.user_high_id',
    theirs: 'f.user_low_id' | 'f.user_high_id',
  ) =>
    db
      .selectFrom('friendships as f')
      .innerJoin('users as u', 'u.id', theirs)
      .where(mine, '=', userId)
      .select(['u.id', 'u.username_key']);
  const rows = await side('f.user_low_id', 'f.user_high_id')
    .unionAll(side('f.user_high_id', 'f.user_low_id'))
    .orderBy('username_key')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** A user's stored friend count and friend_entries rows, straight from the tables. */
export async function storedFriendCounts(
  userId: number,
): Promise<{ count: number; entries: number }> {
  const db = await getDb();
  const user = await db
    .selectFrom('users')
    .select('friend_count')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const entries = await db
    .selectFrom('friend_entries')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('owner_id', '=', userId)
    .executeTakeFirstOrThrow();
  return { count: user.friend_count, entries: Number(entries.n) };
}
