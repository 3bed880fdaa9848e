import { handler as add } from '../../functions/friend/add';
import { handler as send } from '../../functions/message/send';
import { getDb } from '../../lib/db/connection';
import { invoke, type InvokeResult } from './invoke';
import { registerUser, type TestUser } from './users';

/** Makes two users friends through the real handler. */
export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const response = await invoke(add, { token: a.token, body: { friend_username: b.username } });
  if (response.status !== 201)
    throw new Error(`add failed: ${response.status} ${response.rawBody}`);
}

/** Two new users who are friends: the start of most messaging tests. */
export async function registerFriends(): Promise<[TestUser, TestUser]> {
  const a = await registerUser();
  const b = await registerUser();
  await befriend(a, b);
  return [a, b];
}

/** Sends a message through the real handler. */
export function sendMessage(
  from: TestUser,
  to: TestUser | number,
  content: string,
  extra: Record<string, unknown> = {},
): Promise<InvokeResult> {
  const receiverId = typeof to === 'number' ? to : to.id;
  return invoke(send, { token: from.token, body: { receiver_id: receiverId, content, ...extra } });
}

/** Sends `count` messages one after another; returns their ids. */
export async function sendMany(
  from: TestUser,
  to: TestUser,
  count: number,
  prefix = 'm',
): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await sendMessage(from, to, `${prefix}${index}`);
    if (response.status !== 201)
      throw new Error(`send failed: ${response.status} ${response.rawBody}`);
    ids.push(response.body.data.message.id);
  }
  return ids;
}

/** The chat-list row of `owner` for `peer`, straight from the database. */
export async function conversationRow(owner: number, peer: number) {
  const db = await getDb();
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('owner_id', '=', owner)
    .where('peer_id', '=', peer)
    .executeTakeFirst();
}

/**
 * Unread messages from `sender` to `receiver`, counted from the messages and read marks
 * themselves (not the counters): not read before migration 007, and above the receiver's
 * read watermark.
 */
export async function countUnread(receiver: number, sender: number): Promise<number> {
  const db = await getDb();
  const mark = await db
    .selectFrom('read_marks')
    .select((eb) => eb.fn.max('up_to_id').as('up_to_id'))
    .where('reader_id', '=', receiver)
    .where('sender_id', '=', sender)
    .executeTakeFirst();
  const { count } = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('receiver_id', '=', receiver)
    .where('sender_id', '=', sender)
    .where('is_read', '=', 0)
    .where('id', '>', Number(mark?.up_to_id ?? 0))
    .executeTakeFirstOrThrow();
  return Number(count);
}

/**
 * The read state of messages as stored, worked out here from the rows themselves rather
 * than by the code under test: read before migration 007 (the row's own flag and time), or
 * reached by a read mark of its receiver and sender (the first such mark's time).
 */
export async function storedReadState(
  messageIds: readonly number[],
): Promise<{ id: number; is_read: boolean; read_at: string | null }[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'sender_id', 'receiver_id', 'is_read', 'read_at'])
    .where('id', 'in', [...messageIds])
    .orderBy('id')
    .execute();
  const marks = await db.selectFrom('read_marks').selectAll().orderBy('up_to_id').execute();
  return rows.map((row) => {
    const mark = marks.find(
      (candidate) =>
        candidate.reader_id === row.receiver_id &&
        candidate.sender_id === row.sender_id &&
        candidate.up_to_id >= row.id,
    );
    const readAt = row.is_read ? row.read_at : (mark?.read_at ?? null);
    return { id: row.id, is_read: readAt !== null, read_at: readAt };
  });
}
