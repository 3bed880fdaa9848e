import { handler as chats } from '../../functions/message/chats';
import { handler as history } from '../../functions/message/history';
import { handler as markRead } from '../../functions/message/mark-read';
import { getDb } from '../../lib/db/connection';
import { conversationRow, countUnread, registerFriends, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import type { TestUser } from '../helpers/users';

/**
 * Parallel requests in one process. On MySQL they run on separate pooled connections
 * (DB_POOL_SIZE=8 in tests) and really race inside InnoDB.
 */
async function conversationMessages(a: TestUser, b: TestUser) {
  const db = await getDb();
  return db
    .selectFrom('messages')
    .selectAll()
    .where('user_low_id', '=', Math.min(a.id, b.id))
    .where('user_high_id', '=', Math.max(a.id, b.id))
    .orderBy('id')
    .execute();
}

describe('concurrent messaging', () => {
  let alice: TestUser;
  let bob: TestUser;
  beforeEach(async () => {
    [alice, bob] = await registerFriends();
  });

  it('loses and doubles nothing across 50 parallel sends', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => sendMessage(alice, bob, `parallel ${index}`)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));
    const ids = responses.map((response) => response.body.data.message.id as number);
    expect(new Set(ids).size).toBe(50);

    const stored = await conversationMessages(alice, bob);
    expect(stored.map((row) => row.content).sort()).toEqual(
      Array.from({ length: 50 }, (_, index) => `parallel ${index}`).sort(),
    );
    const newest = Math.max(...ids);
    expect(await conversationRow(bob.id, alice.id)).toMatchObject({
      unread_count: 50,
      message_count: 50,
      last_message_id: newest,
    });
    expect(await conversationRow(alice.id, bob.id)).toMatchObject({
      unread_count: 0,
      message_count: 50,
      last_message_id: newest,
    });
    const page = await invoke(history, {
      token: bob.token,
      query: { friend_id: String(alice.id), per_page: '100' },
    });
    expect(page.body.data.total).toBe(50);
    expect(page.body.data.messages).toHaveLength(50);
  });

  it('keeps both chat lists exact when both sides send at once', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        index % 2 === 0
          ? sendMessage(alice, bob, `a${index}`)
          : sendMessage(bob, alice, `b${index}`),
      ),
    );
    expect(responses.every((response) => response.status === 201)).toBe(true);
    const newest = Math.max(
      ...responses.map((response) => response.body.data.message.id as number),
    );
    for (const [owner, peer] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      expect(await conversationRow(owner.id, peer.id)).toMatchObject({
        unread_count: 20,
        message_count: 40,
        last_message_id: newest,
      });
    }
  });

  it('creates one message when retries with one client_msg_id race', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        sendMessage(alice, bob, 'exactly once', { client_msg_id: 'race-key' }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(responses.map((response) => response.body.data.message.id));
    expect(ids.size).toBe(1);
    expect(await conversationMessages(alice, bob)).toHaveLength(1);
    expect(await conversationRow(bob.id, alice.id)).toMatchObject({
      unread_count: 1,
      message_count: 1,
    });
  });

  it('keeps unread counts exact while sends and mark_read interleave', async () => {
    const work: Promise<{ status: number; body: { data: { updated?: number } } }>[] = [];
    for (let index = 0; index < 60; index += 1) {
      work.push(sendMessage(bob, alice, `to alice ${index}`));
      if (index % 6 === 0)
        work.push(invoke(markRead, { token: alice.token, body: { sender_id: bob.id } }));
      if (index % 10 === 0) work.push(sendMessage(alice, bob, `to bob ${index}`));
    }
    const results = await Promise.all(work);
    expect(results.every((result) => result.status === 200 || result.status === 201)).toBe(true);
    const markedRead = results.reduce((sum, result) => sum + (result.body.data.updated ?? 0), 0);

    const unreadRows = await countUnread(alice.id, bob.id);
    expect(markedRead + unreadRows).toBe(60);
    expect((await conversationRow(alice.id, bob.id))?.unread_count).toBe(unreadRows);
    expect((await conversationRow(bob.id, alice.id))?.unread_count).toBe(
      await countUnread(bob.id, alice.id),
    );

    const list = await invoke(chats, { token: alice.token });
    expect(list.body.data.total_unread).toBe(unreadRows);
  });
});
