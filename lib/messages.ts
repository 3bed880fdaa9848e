import { sql, type Kysely } from 'kysely';
import { isMysql } from './db/dialect';
import { throughIndex } from './db/index-hints';
import { getDb, type DatabaseClient } from './db/connection';
import { uniqueViolation } from './db/errors';
import type { Database, MessageRow, UserRow } from './db/schema';
import { toDbTimestamp, toIsoTimestamp } from './db/time';
import { inTransaction } from './db/transaction';
import { AppError } from './errors';
import { areFriends, friendshipKey } from './friends';
import { assertNotBlocked } from './blocks';
import { now as clockNow } from './clock';
import { getConfig } from './config';
import { consumeLimit, sweepExpiredLimits } from './rate-limits';
import { addToUnreadTotal } from './unread-totals';
import { newestFrom, unreadBetween, watermark, withReadState } from './read-state';
import { publish } from './realtime/publish';
import type { ChatEntry, ChatSettings, HistoryPage, Message } from './api/schemas';

export type MessageType = MessageRow['message_type'];
// The message types, and the API's views (lib/api/schemas.ts defines them, for the docs too).
export { messageTypes } from './api/schemas';
export type { ChatEntry, ChatSettings, HistoryPage, Message } from './api/schemas';

/**
 * A message as read with its read state: `mark_read_at` is the read time its reader's
 * watermark gives it (lib/read-state.ts withReadState); rows read before migration 007 carry
 * their own.
 */
export type MessageReadRow = MessageRow & { mark_read_at?: string | null };

export function messageView(row: MessageReadRow): Message {
  const { recalled_at: recalledAt } = row;
  const readAt = row.read_at ?? row.mark_read_at ?? null;
  return {
    id: row.id,
    sender_id: row.sender_id,
    receiver_id: row.receiver_id,
    content: recalledAt === null ? row.content : null,
    message_type: row.message_type,
    is_read: readAt !== null,
    read_at: readAt === null ? null : toIsoTimestamp(readAt),
    created_at: toIsoTimestamp(row.created_at),
    client_msg_id: row.client_msg_id,
    recalled_at: recalledAt === null ? null : toIsoTimestamp(recalledAt),
  };
}

/**
 * USER_NOT_FOUND unless `userId` exists. Called only after a cheaper read came back empty
 * (no friendship, no conversation, nothing to mark), so the common path never pays for it.
 */
async function requireUser(db: Kysely<Database>, userId: number): Promise<void> {
  const found = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!found) throw new AppError('USER_NOT_FOUND');
}

async function findByClientId(
  db: DatabaseClient,
  senderId: number,
  clientMsgId: string,
): Promise<MessageReadRow | undefined> {
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('sender_id', '=', senderId)
    .where('client_msg_id', '=', clientMsgId)
    .executeTakeFirst();
  return row && (await withReadState(db, [row]))[0];
}

export interface NewMessage {
  receiverId: number;
  content: string;
  messageType: MessageType;
  clientMsgId?: string | undefined;
}

/**
 * Sends a message to a friend. With a `clientMsgId` it is idempotent: a repeat (even one
 * racing the first) returns the original message with `created: false`; the unique key on
 * (sender, client_msg_id) decides. The rate-limit count, the message and both chat-list
 * rows are one transaction, so a send commits once; a replay is never counted, a refused
 * send (not friends, no such user) is counted after its rollback.
 */
export async function sendMessage(
  sender: UserRow,
  message: NewMessage,
): Promise<{ message: Message; created: boolean }> {
  if (message.receiverId === sender.id) throw new AppError('CANNOT_MESSAGE_SELF');
  const db = await getDb();
  const now = toDbTimestamp();
  const row = {
    sender_id: sender.id,
    receiver_id: message.receiverId,
    ...friendshipKey(sender.id, message.receiverId),
    content: message.content,
    message_type: message.messageType,
    client_msg_id: message.clientMsgId ?? null,
    is_read: 0,
    read_at: null,
    created_at: now,
    recalled_at: null,
  };
  let id: number;
  try {
    id = await inTransaction(db, async (trx) => {
      await consumeLimit('sendPerUser', String(sender.id), trx);
      // Checked inside the transaction, under lock: a block or an unfriending at this
      // moment either ends before this check or waits until the message is committed. The
      // friendship's lock is exclusive: the pair's sends take turns from here to commit, so
      // their ids commit in order and a read watermark never passes one still to commit.
      await assertNotBlocked(trx, sender.id, message.receiverId);
      if (!(await areFriends(trx, sender.id, message.receiverId, { lock: true }))) {
        await requireUser(trx, message.receiverId);
        throw new AppError('NOT_FRIENDS');
      }
      const { insertId } = await trx.insertInto('messages').values(row).executeTakeFirstOrThrow();
      const messageId = Number(insertId);
      // Always the lower owner id first, so two opposite sends lock rows in the same order.
      const owners = [sender.id, message.receiverId].sort((a, b) => a - b);
      for (const owner of owners) {
        const peer = owner === sender.id ? message.receiverId : sender.id;
        await recordInChatList(trx, { owner, peer, messageId, unread: owner !== sender.id, now });
      }
      await addToUnreadTotal(trx, {
        ownerId: message.receiverId,
        peerId: sender.id,
        delta: 1,
        whenMuted: 'skip',
      });
      return messageId;
    });
  } catch (error) {
    const original = await replayedMessage(error, sender.id, message.clientMsgId);
    if (original) return { message: messageView(original), created: false };
    // A refusal (not friends, no such user) still cost a write transaction: it counts,
    // outside the one that rolled back, so refusals cannot be repeated without limit.
    if (isRefusal(error) && error.code !== 'RATE_LIMITED') {
      await consumeLimit('sendPerUser', String(sender.id));
    }
    throw error;
  }
  await sweepExpiredLimits();
  // Nobody can have read it yet: a watermark stops at the newest committed message.
  const created = messageView({ ...row, id });
  // Both sides: the receiver, and the sender's other devices. Replays were pushed the first time.
  await publish({
    to: [message.receiverId, sender.id],
    event: { type: 'message.new', data: { message: created } },
  });
  return { message: created, created: true };
}

/** The service said no (4xx), as opposed to failing (5xx, driver errors). */
function isRefusal(error: unknown): error is AppError {
  return error instanceof AppError && error.status < 500;
}

/**
 * The stored original of a send that failed, if the failure was a retry of it: its
 * client_msg_id is taken (maybe by a racing first attempt), or the retry was refused
 * (over the limit, unfriended since) after the original went through. Replays are rare, so
 * only they pay for the lookup; a lookup that fails leaves the first error to answer.
 */
async function replayedMessage(
  error: unknown,
  senderId: number,
  clientMsgId: string | undefined,
): Promise<MessageReadRow | undefined> {
  if (clientMsgId === undefined || !(isRefusal(error) || uniqueViolation(error) !== undefined)) {
    return undefined;
  }
  return findByClientId(await getDb(), senderId, clientMsgId).catch(() => undefined);
}

/** Creates or advances one owner's chat-list row for a new message; a hidden chat comes back. */
async function recordInChatList(
  trx: Kysely<Database>,
  entry: { owner: number; peer: number; messageId: number; unread: boolean; now: string },
): Promise<void> {
  const { owner, peer, messageId, unread, now } = entry;
  const insert = trx.insertInto('conversations').values({
    owner_id: owner,
    peer_id: peer,
    last_message_id: messageId,
    unread_count: unread ? 1 : 0,
    message_count: 1,
    updated_at: now,
  });
  const changes = {
    // Concurrent sends may commit out of id order: keep the newest.
    last_message_id: sql<number>`case when last_message_id < ${messageId} then ${messageId} else last_message_id end`,
    unread_count: sql<number>`unread_count + ${unread ? 1 : 0}`,
    message_count: sql<number>`message_count + 1`,
    updated_at: now,
    hidden: 0,
  };
  if (isMysql(trx)) {
    await insert.onDuplicateKeyUpdate(changes).execute();
  } else {
    await insert
      .onConflict((conflict) => conflict.columns(['owner_id', 'peer_id']).doUpdateSet(changes))
      .execute();
  }
}

/**
 * `messages as conversation`, read through the (pair, id) index whatever the statistics
 * say. With a conversation that is a large share of the table (a small deployment, or a
 * very busy pair), MariaDB chose `ref` on (pair) and filtered `id < cursor` row by row:
 * a cursor 1,000 messages back read 1,021 rows instead of 21 (README, Benchmarks).
 */
function messagesByConversation(db: Kysely<Database>) {
  return throughIndex(db, 'messages', 'messages_conversation_idx', 'conversation');
}

export interface HistoryQuery {
  perPage: number;
  /** Page 1 is the newest `perPage` messages. Ignored when `beforeId` is given. */
  page: number;
  /** Cursor: the newest `perPage` messages with an id below this. */
  beforeId?: number | undefined;
}

/**
 * One page of the conversation between the caller and `peerId`, ascending by id. Reads the
 * (pair, id) index; `total` comes from the chat-list row, so no page counts the history.
 */
export async function conversationHistory(
  userId: number,
  peerId: number,
  query: HistoryQuery,
): Promise<HistoryPage> {
  const db = await getDb();
  const pair = friendshipKey(userId, peerId);
  const summary = await db
    .selectFrom('conversations')
    .select('message_count')
    .where('owner_id', '=', userId)
    .where('peer_id', '=', peerId)
    .executeTakeFirst();
  // No chat-list row: the two never exchanged a message (or the peer does not exist).
  if (!summary) {
    await requireUser(db, peerId);
    const page = query.beforeId === undefined ? query.page : null;
    return { messages: [], page, per_page: query.perPage, total: 0, has_more: false };
  }
  const total = summary.message_count;

  const offset = query.beforeId === undefined ? (query.page - 1) * query.perPage : 0;
  let page = db
    .selectFrom(messagesByConversation(db))
    .where('conversation.user_low_id', '=', pair.user_low_id)
    .where('conversation.user_high_id', '=', pair.user_high_id)
    .orderBy('conversation.id', 'desc')
    // One extra row tells whether older messages remain.
    .limit(query.perPage + 1);
  if (query.beforeId !== undefined) page = page.where('conversation.id', '<', query.beforeId);
  // One statement either way. The newest page (or a cursor's) reads its rows straight off
  // the (pair, id) index; a deep page takes its ids from the narrow index first (skipping
  // index entries, not rows) and reads only those rows by key: a deferred join.
  const newestFirst =
    offset === 0
      ? await page.selectAll().execute()
      : await db
          .selectFrom(page.select('conversation.id').offset(offset).as('page'))
          .innerJoin('messages as m', 'm.id', 'page.id')
          .selectAll('m')
          .orderBy('m.id', 'desc')
          .execute();
  const hasMore = newestFirst.length > query.perPage;
  const rows = await withReadState(db, newestFirst.slice(0, query.perPage).reverse());

  return {
    messages: rows.map(messageView),
    page: query.beforeId === undefined ? query.page : null,
    per_page: query.perPage,
    total,
    has_more: hasMore,
  };
}

/**
 * The caller's chat list: pinned chats first, each group newest last message first, hidden
 * ones left out. One backward range read of the caller's (owner, hidden, pinned, last
 * message) index, stopped at `limit`, each row joined to its last message and peer by
 * primary key; `total_unread` is the caller's unread_totals row. Neither the number of
 * messages nor chats beyond the page change its cost.
 */
export async function chatList(
  userId: number,
  limit: number,
): Promise<{ chats: ChatEntry[]; total_unread: number }> {
  const db = await getDb();
  // The friendship is keyed by the ordered pair; CASE orders it on both dialects.
  const low = sql<number>`case when c.owner_id < c.peer_id then c.owner_id else c.peer_id end`;
  const high = sql<number>`case when c.owner_id < c.peer_id then c.peer_id else c.owner_id end`;
  const rows = await db
    .selectFrom(throughIndex(db, 'conversations', 'conversations_list_idx', 'c'))
    // The caller's rows first, in the index's order (MariaDB otherwise may start from the
    // peers and sort): STRAIGHT_JOIN keeps the tables in the order written.
    .$if(isMysql(db), (query) => query.modifyFront(sql`straight_join`))
    .innerJoin('messages as m', 'm.id', 'c.last_message_id')
    .innerJoin('users as u', 'u.id', 'c.peer_id')
    .leftJoin('friendships as f', (join) =>
      join.on('f.user_low_id', '=', low).on('f.user_high_id', '=', high),
    )
    .where('c.owner_id', '=', userId)
    .where('c.hidden', '=', 0)
    .orderBy('c.pinned', 'desc')
    .orderBy('c.last_message_id', 'desc')
    .limit(limit)
    .selectAll('m')
    .select((eb) => [
      'c.peer_id',
      'c.unread_count',
      'c.pinned',
      'c.muted',
      'u.username as peer_username',
      eb('f.user_low_id', 'is not', null).as('is_friend'),
      // Uncorrelated: one primary-key read, evaluated once.
      eb
        .selectFrom('unread_totals')
        .select('unread_count')
        .where('user_id', '=', userId)
        .as('total_unread'),
    ])
    .execute();
  if (rows.length === 0) {
    // No visible chat carries the total, but hidden chats may still hold unread messages.
    const total = await db
      .selectFrom('unread_totals')
      .select('unread_count')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return { chats: [], total_unread: Number(total?.unread_count ?? 0) };
  }
  return chatListView(await withReadState(db, rows));
}

/** A row of the chat-list query: the last message, and the peer and counts beside it. */
export type ChatRow = MessageReadRow & {
  peer_id: number;
  peer_username: string;
  unread_count: number;
  /** SQL booleans: 0 or 1 on both dialects. */
  is_friend: number | boolean;
  pinned: number | boolean;
  muted: number | boolean;
  /** The caller's unread_totals row; null when they never had an unread message. */
  total_unread: number | string | null;
};

export function chatListView(rows: readonly ChatRow[]): {
  chats: ChatEntry[];
  total_unread: number;
} {
  return {
    chats: rows.map((row) => ({
      friend: { id: row.peer_id, username: row.peer_username },
      last_message: messageView(row),
      unread_count: row.unread_count,
      is_friend: Boolean(row.is_friend),
      pinned: Boolean(row.pinned),
      muted: Boolean(row.muted),
    })),
    // No rows: nothing visible (chatList then reads the total itself, as chats may be hidden).
    total_unread: Number(rows[0]?.total_unread ?? 0),
  };
}

/** The newest message between the caller and `peerId`, or null. */
export async function lastMessage(userId: number, peerId: number): Promise<Message | null> {
  const db = await getDb();
  const row = await db
    .selectFrom('conversations as c')
    .innerJoin('messages as m', 'm.id', 'c.last_message_id')
    .where('c.owner_id', '=', userId)
    .where('c.peer_id', '=', peerId)
    .selectAll('m')
    .executeTakeFirst();
  if (row) return messageView((await withReadState(db, [row]))[0] ?? row);
  await requireUser(db, peerId);
  return null;
}

/**
 * Marks messages from `senderId` to the caller as read (all, or up to `upToId`) by moving
 * the caller's read watermark over them (lib/read-state.ts): one `read_marks` row and the
 * unread counts, in one transaction, however many messages it reads. Idempotent: a mark
 * that reads nothing new writes nothing. Returns how many messages became read; when any
 * did, both users' connections hear of it (`message.read`).
 */
export async function markRead(userId: number, senderId: number, upToId?: number): Promise<number> {
  const db = await getDb();
  const now = toDbTimestamp();
  const { updated, readUpTo } = await inTransaction(db, async (trx) => {
    // The lock a send to the caller takes before it commits: the conversation's newest
    // message is committed, and every message of the pair below it too (sendMessage).
    const chat = await trx
      .selectFrom('conversations')
      .select(['last_message_id', 'unread_count'])
      .where('owner_id', '=', userId)
      .where('peer_id', '=', senderId)
      .$if(isMysql(trx), (query) => query.forUpdate())
      .executeTakeFirst();
    if (!chat || chat.unread_count === 0) return { updated: 0, readUpTo: 0 };
    const from = await watermark(trx, userId, senderId);
    // Never past the newest message: one sent later is unread, whatever up_to_id said.
    const to = Math.min(upToId ?? chat.last_message_id, chat.last_message_id);
    if (to <= from) return { updated: 0, readUpTo: 0 };
    // Up to the newest message, every unread one is read: the count says how many. A mark
    // that stops short counts the unread ones it passes.
    const changed =
      to === chat.last_message_id
        ? chat.unread_count
        : await unreadBetween(trx, { readerId: userId, senderId, after: from, upTo: to });
    if (changed === 0) return { updated: 0, readUpTo: 0 };
    await trx
      .insertInto('read_marks')
      .values({ reader_id: userId, sender_id: senderId, up_to_id: to, read_at: now })
      .execute();
    await trx
      .updateTable('conversations')
      .set({ unread_count: sql<number>`unread_count - ${changed}`, updated_at: now })
      .where('owner_id', '=', userId)
      .where('peer_id', '=', senderId)
      .execute();
    await addToUnreadTotal(trx, {
      ownerId: userId,
      peerId: senderId,
      delta: -changed,
      whenMuted: 'skip',
    });
    // The event names how far the read reaches: the caller's bound, or else the newest
    // message now read.
    const readUpTo = upToId ?? (await newestFrom(trx, { readerId: userId, senderId, upTo: to }));
    return { updated: changed, readUpTo };
  });
  if (updated === 0) {
    await requireUser(db, senderId);
    return 0;
  }
  await publish({
    to: [senderId, userId],
    event: {
      type: 'message.read',
      data: {
        reader_id: userId,
        sender_id: senderId,
        up_to_id: readUpTo,
        read_at: toIsoTimestamp(now),
        updated,
      },
    },
  });
  return updated;
}

/**
 * Catch-up after a reconnect: the caller's messages, sent or received, with an id above
 * `afterId`, ascending. Two index range reads (sent by, received by; each by id) of at most
 * `limit + 1` rows, merged: the cost follows the page, never other users' messages.
 */
export async function messageUpdates(
  userId: number,
  afterId: number,
  limit: number,
): Promise<{ messages: Message[]; has_more: boolean }> {
  const db = await getDb();
  const side = (column: 'sender_id' | 'receiver_id', index: string) =>
    db
      .selectFrom(throughIndex(db, 'messages', index, 'side'))
      .selectAll('side')
      .where(`side.${column}`, '=', userId)
      .where('side.id', '>', afterId)
      .orderBy('side.id')
      .limit(limit + 1);
  const rows = await db
    .selectFrom(side('sender_id', 'messages_sender_idx').as('sent'))
    .selectAll('sent')
    .unionAll(
      db
        .selectFrom(side('receiver_id', 'messages_receiver_idx').as('received'))
        .selectAll('received'),
    )
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const page = await withReadState(db, rows.slice(0, limit));
  return { messages: page.map(messageView), has_more: rows.length > limit };
}

/**
 * Recalls a message: only its sender, only within RECALL_WINDOW_SECONDS of `created_at`.
 * The stored content is erased (recall is not a flag over kept text); id, sender, receiver,
 * type, times, read state and client_msg_id stay. Recalling a recalled message answers the
 * same again. Both users' connections hear `message.recalled`.
 */
export async function recallMessage(userId: number, messageId: number): Promise<Message> {
  const db = await getDb();
  const at = clockNow();
  const { row, changed } = await inTransaction(db, async (trx) => {
    const found = await trx
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .$if(isMysql(trx), (query) => query.forUpdate())
      .executeTakeFirst();
    // Someone else's message is "not found", so ids cannot be probed.
    if (!found || (found.sender_id !== userId && found.receiver_id !== userId)) {
      throw new AppError('MESSAGE_NOT_FOUND');
    }
    if (found.sender_id !== userId) throw new AppError('NOT_SENDER');
    if (found.recalled_at !== null) return { row: found, changed: false };
    const deadline =
      Date.parse(toIsoTimestamp(found.created_at)) + getConfig().recallWindowSeconds * 1000;
    if (at.getTime() > deadline) throw new AppError('RECALL_WINDOW_PASSED');
    const recalledAt = toDbTimestamp(at);
    await trx
      .updateTable('messages')
      .set({ content: '', recalled_at: recalledAt })
      .where('id', '=', messageId)
      .execute();
    return { row: { ...found, content: '', recalled_at: recalledAt }, changed: true };
  });
  // Its read state: the row's own (read before 007), else its reader's watermark.
  const [withState] = await withReadState(db, [row]);
  const message = messageView(withState ?? row);
  if (changed) {
    await publish({
      to: [message.sender_id, message.receiver_id],
      event: { type: 'message.recalled', data: { message } },
    });
  }
  return message;
}

/**
 * Changes the caller's own settings of their chat with `peerId` (the others stay). Only a
 * chat that exists can be set. Muting takes its unread messages out of the caller's
 * total, unmuting puts them back, under the lock on the chat's row that send and
 * mark_read also take.
 */
export async function updateChatSettings(
  userId: number,
  peerId: number,
  changes: Partial<ChatSettings>,
): Promise<ChatSettings> {
  const db = await getDb();
  return inTransaction(db, async (trx) => {
    const chat = await trx
      .selectFrom('conversations')
      .select(['pinned', 'muted', 'hidden', 'unread_count'])
      .where('owner_id', '=', userId)
      .where('peer_id', '=', peerId)
      .$if(isMysql(trx), (query) => query.forUpdate())
      .executeTakeFirst();
    if (!chat) throw new AppError('CHAT_NOT_FOUND');
    const settings = {
      pinned: changes.pinned ?? Boolean(chat.pinned),
      muted: changes.muted ?? Boolean(chat.muted),
      hidden: changes.hidden ?? Boolean(chat.hidden),
    };
    await trx
      .updateTable('conversations')
      .set({
        pinned: Number(settings.pinned),
        muted: Number(settings.muted),
        hidden: Number(settings.hidden),
      })
      .where('owner_id', '=', userId)
      .where('peer_id', '=', peerId)
      .execute();
    if (settings.muted !== Boolean(chat.muted)) {
      await addToUnreadTotal(trx, {
        ownerId: userId,
        peerId,
        delta: settings.muted ? -chat.unread_count : chat.unread_count,
        whenMuted: 'count',
      });
    }
    return settings;
  });
}
