import { handler as remove } from '../../functions/friend/remove';
import { handler as chats } from '../../functions/message/chats';
import { handler as markRead } from '../../functions/message/mark-read';
import {
  befriend,
  registerFriends,
  conversationRow,
  countUnread,
  sendMany,
  sendMessage,
  storedReadState,
} from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';

async function chatList(user: TestUser, query: Record<string, string> = {}) {
  const response = await invoke(chats, { token: user.token, query });
  expect(response.status).toBe(200);
  return response.body.data;
}

describe('GET /api/message/chats', () => {
  it('is empty for a new user', async () => {
    const alice = await registerUser();
    const response = await invoke(chats, { token: alice.token });
    expect(response.body).toEqual({
      message: '获取聊天列表成功',
      data: { chats: [], total_unread: 0 },
    });
  });

  it('lists one entry per contact, newest last message first, with unread counts', async () => {
    const me = await registerUser();
    const [bob, carol, dave] = [await registerUser(), await registerUser(), await registerUser()];
    for (const friend of [bob, carol, dave]) await befriend(me, friend);
    await sendMany(bob, me, 3, 'bob');
    await sendMany(me, carol, 2, 'me');
    await sendMany(dave, me, 2, 'dave');
    const lastFromCarol = await sendMessage(carol, me, 'carol says hi');

    const data = await chatList(me);
    expect(data.total_unread).toBe(6);
    expect(data.chats.map((chat: { friend: { id: number } }) => chat.friend.id)).toEqual([
      carol.id,
      dave.id,
      bob.id,
    ]);
    expect(data.chats[0]).toEqual({
      friend: { id: carol.id, username: carol.username },
      last_message: lastFromCarol.body.data.message,
      unread_count: 1,
      is_friend: true,
      pinned: false,
      muted: false,
    });
    expect(data.chats.map((chat: { unread_count: number }) => chat.unread_count)).toEqual([
      1, 2, 3,
    ]);
    expect(JSON.stringify(data)).not.toContain('@example.com');

    // The other side sees its own view of the same conversations.
    const carolsView = await chatList(carol);
    expect(carolsView.chats).toHaveLength(1);
    expect(carolsView.chats[0]).toMatchObject({ friend: { id: me.id }, unread_count: 2 });
    expect(carolsView.total_unread).toBe(2);
  });

  it('honours limit but counts every unread message in total_unread', async () => {
    const me = await registerUser();
    for (let index = 0; index < 4; index += 1) {
      const friend = await registerUser();
      await befriend(me, friend);
      await sendMessage(friend, me, `hi ${index}`);
    }
    const data = await chatList(me, { limit: '2' });
    expect(data.chats).toHaveLength(2);
    expect(
      data.chats.map((chat: { last_message: { content: string } }) => chat.last_message.content),
    ).toEqual(['hi 3', 'hi 2']);
    expect(data.total_unread).toBe(4);
  });

  it('keeps a conversation after unfriending, with is_friend false', async () => {
    const [me, bob] = await registerFriends();
    await sendMessage(bob, me, 'bye');
    await invoke(remove, { token: me.token, body: { friend_id: bob.id } });
    const data = await chatList(me);
    expect(data.chats).toEqual([
      expect.objectContaining({ friend: { id: bob.id, username: bob.username }, is_friend: false }),
    ]);
  });

  it("never shows other users' conversations", async () => {
    const [a, b, c] = [await registerUser(), await registerUser(), await registerUser()];
    await befriend(a, b);
    await sendMessage(a, b, 'private');
    const data = await chatList(c);
    expect(data).toEqual({ chats: [], total_unread: 0 });
  });

  it.each(['0', '201', 'ten', '-1'])('answers 400 for limit=%s', async (limit) => {
    const me = await registerUser();
    const response = await invoke(chats, { token: me.token, query: { limit } });
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      { field: 'limit', message: '须为 1 到 200 之间的整数' },
    ]);
  });
});

describe('POST /api/message/mark_read', () => {
  let me: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  beforeEach(async () => {
    me = await registerUser();
    bob = await registerUser();
    carol = await registerUser();
    await befriend(me, bob);
    await befriend(me, carol);
  });

  it("marks the sender's messages read, sets read_at and is idempotent", async () => {
    const fromBob = await sendMany(bob, me, 3, 'bob');
    await sendMany(me, bob, 2, 'mine');
    await sendMany(carol, me, 2, 'carol');

    const response = await invoke(markRead, { token: me.token, body: { sender_id: bob.id } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '已标记为已读',
      data: { sender_id: bob.id, updated: 3 },
    });

    const rows = await storedReadState(fromBob);
    for (const row of rows) {
      expect(row.is_read).toBe(true);
      expect(row.read_at).not.toBeNull();
    }
    expect(await countUnread(me.id, bob.id)).toBe(0);
    expect(await countUnread(bob.id, me.id)).toBe(2); // my messages to bob are bob's to read
    expect(await countUnread(me.id, carol.id)).toBe(2);
    expect(await conversationRow(me.id, bob.id)).toMatchObject({ unread_count: 0 });
    expect(await conversationRow(me.id, carol.id)).toMatchObject({ unread_count: 2 });

    const again = await invoke(markRead, { token: me.token, body: { sender_id: String(bob.id) } });
    expect(again.body.data).toEqual({ sender_id: bob.id, updated: 0 });
    const readAt = rows.map((row) => row.read_at);
    const after = await storedReadState(fromBob);
    expect(after.map((row) => row.read_at)).toEqual(readAt);
  });

  it('stops at up_to_id', async () => {
    const fromBob = await sendMany(bob, me, 5, 'bob');
    const response = await invoke(markRead, {
      token: me.token,
      body: { sender_id: bob.id, up_to_id: fromBob[2] },
    });
    expect(response.body.data.updated).toBe(3);
    expect(await countUnread(me.id, bob.id)).toBe(2);
    expect(await conversationRow(me.id, bob.id)).toMatchObject({ unread_count: 2 });
    const chatsResponse = await invoke(chats, { token: me.token });
    expect(chatsResponse.body.data.total_unread).toBe(2);
  });

  it("cannot mark someone else's messages read", async () => {
    await befriend(bob, carol);
    await sendMany(bob, carol, 2, 'x');
    const response = await invoke(markRead, { token: me.token, body: { sender_id: bob.id } });
    expect(response.body.data.updated).toBe(0);
    expect(await countUnread(carol.id, bob.id)).toBe(2);
    expect(await conversationRow(carol.id, bob.id)).toMatchObject({ unread_count: 2 });
  });

  it('answers 404 USER_NOT_FOUND for an unknown sender', async () => {
    const response = await invoke(markRead, { token: me.token, body: { sender_id: 99999999 } });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('USER_NOT_FOUND');
  });

  it.each([
    [{}, 'sender_id'],
    [{ sender_id: 'x' }, 'sender_id'],
    [{ sender_id: 1, up_to_id: 0 }, 'up_to_id'],
    [{ sender_id: 1, up_to_id: 'all' }, 'up_to_id'],
  ])('answers 400 for %j', async (body, field) => {
    const response = await invoke(markRead, { token: me.token, body });
    expect(response.status).toBe(400);
    expect(response.body.details.map((detail: { field: string }) => detail.field)).toEqual([field]);
  });
});
