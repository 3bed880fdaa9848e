import { getDb } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { inTransaction } from '../../lib/db/transaction';
import { friendshipKey } from '../../lib/friends';
import { addToUnreadTotal } from '../../lib/unread-totals';

// No jest here: the benchmark (bench/costs/read.ts) seeds with it too.
/**
 * `count` unread messages from `sender` to `receiver`, inserted in bulk (not sent one by
 * one), with both chat-list rows and the receiver's unread total counted as sends would.
 * Returns the first and last id.
 */
export async function seedBacklog(
  sender: number,
  receiver: number,
  count: number,
): Promise<{ first: number; last: number }> {
  const db = await getDb();
  const now = toDbTimestamp();
  return inTransaction(db, async (trx) => {
    const batch = 2_000;
    for (let start = 0; start < count; start += batch) {
      const rows = Array.from({ length: Math.min(batch, count - start) }, (_, index) => ({
        sender_id: sender,
        receiver_id: receiver,
        ...friendshipKey(sender, receiver),
        content: `backlog ${start + index}`,
        message_type: 'text' as const,
        client_msg_id: null,
        is_read: 0,
        read_at: null,
        created_at: now,
        recalled_at: null,
      }));
      await trx.insertInto('messages').values(rows).execute();
    }
    const ids = await trx
      .selectFrom('messages')
      .select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last')])
      .where('sender_id', '=', sender)
      .where('receiver_id', '=', receiver)
      .where('content', 'like', 'backlog %')
      .executeTakeFirstOrThrow();
    const first = Number(ids.first);
    const last = Number(ids.last);
    for (const [owner, peer, unread] of [
      [receiver, sender, count],
      [sender, receiver, 0],
    ] as const) {
      const existing = await trx
        .selectFrom('conversations')
        .select('owner_id')
        .where('owner_id', '=', owner)
        .where('peer_id', '=', peer)
        .executeTakeFirst();
      if (existing) {
        await trx
          .updateTable('conversations')
          .set((eb) => ({
            last_message_id: last,
            unread_count: eb('unread_count', '+', unread),
            message_count: eb('message_count', '+', count),
          }))
          .where('owner_id', '=', owner)
          .where('peer_id', '=', peer)
          .execute();
      } else {
        await trx
          .insertInto('conversations')
          .values({
            owner_id: owner,
            peer_id: peer,
            last_message_id: last,
            unread_count: unread,
            message_count: count,
            updated_at: now,
          })
          .execute();
      }
    }
    await addToUnreadTotal(trx, {
      ownerId: receiver,
      peerId: sender,
      delta: count,
      whenMuted: 'skip',
    });
    return { first, last };
  });
}
