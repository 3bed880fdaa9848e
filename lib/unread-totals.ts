import { sql, type Kysely } from 'kysely';
import { isMysql } from './db/dialect';
import type { Database } from './db/schema';

/**
 * `unread_totals` holds each user's unread messages outside muted chats, so the chat list's
 * `total_unread` is one primary-key read. Every change to an unread count or a mute flag
 * changes it in the same transaction, after locking that conversation row (send, mark_read
 * and chat_settings all do), so the total stays exact under concurrency.
 */

/**
 * Adds `delta` to `ownerId`'s total, counted only if their chat with `peerId` is not muted
 * (`whenMuted: 'skip'`) or whatever its setting (`'count'`: for a mute flag that changes).
 * One statement: the conversation row decides, and a missing total row is created.
 */
export async function addToUnreadTotal(
  trx: Kysely<Database>,
  change: { ownerId: number; peerId: number; delta: number; whenMuted: 'skip' | 'count' },
): Promise<void> {
  const { ownerId, peerId, delta, whenMuted } = change;
  if (delta === 0) return;
  const source = trx
    .selectFrom('conversations')
    .select(['owner_id', sql<number>`${delta}`.as('unread_count')])
    .where('owner_id', '=', ownerId)
    .where('peer_id', '=', peerId)
    .$if(whenMuted === 'skip', (query) => query.where('muted', '=', 0));
  const insert = trx
    .insertInto('unread_totals')
    .columns(['user_id', 'unread_count'])
    .expression(source);
  const increment = { unread_count: sql<number>`unread_totals.unread_count + ${delta}` };
  if (isMysql(trx)) {
    await insert.onDuplicateKeyUpdate(increment).execute();
  } else {
    await insert
      .onConflict((conflict) => conflict.column('user_id').doUpdateSet(increment))
      .execute();
  }
}
