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

/** Unread messages from `sender` to `receiver`, counted in the messages table itself. */
export async function countUnread(receiver: number, sender: number): Promise<number> {
  const db = await getDb();
  const { count } = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('receiver_id', '=', receiver)
    .where('sender_id', '=', sender)
    .where('is_read', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(count);
}
