import { sql } from 'kysely';
import { handler as removeFriend } from '../../functions/friend/remove';
import { handler as chatSettings } from '../../functions/message/chat-settings';
import { handler as chats } from '../../functions/message/chats';
import { handler as markRead } from '../../functions/message/mark-read';
import { handler as connect } from '../../functions/ws/connect';
import { getDb } from '../../lib/db/connection';
import {
  befriend,
  conversationRow,
  countUnread,
  registerFriends,
  sendMany,
  sendMessage,
} from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';
import { connectionId, invokeWs, useRecordingGateway } from '../helpers/ws';

/**
 * POST /api/message/chat_settings and what it does to GET /api/message/chats: pinned chats
 * first, muted chats out of total_unread (exact whatever sends and reads happen while
 * muted), hidden chats out of the list until the next message either way, each setting the
 * caller's own; with its validation, CHAT_NOT_FOUND and 401.
 */
const gateway = useRecordingGateway();

interface ChatEntry {
  friend: { id: number; username: string };
  last_message: { id: number; content: string | null };
  unread_count: number;
  is_friend: boolean;
  pinned: boolean;
  muted: boolean;
}

function settings(user: TestUser, body: Record<string, unknown>, headers = {}) {
  return invoke(chatSettings, { token: user.token, body, headers });
}

async function saved(user: TestUser, peer: TestUser, changes: Record<string, unknown>) {
  const response = await settings(user, { friend_id: peer.id, ...changes });
  expect(response.status).toBe(200);
  expect(response.body.message).toBe('会话设置已保存');
  return response.body.data as {
    friend_id: number;
    pinned: boolean;
    muted: boolean;
    hidden: boolean;
  };
}

async function chatList(user: TestUser, query: Record<string, string> = {}) {
  const response = await invoke(chats, { token: user.token, query });
  expect(response.status).toBe(200);
  return response.body.data as { chats: ChatEntry[]; total_unread: number };
}

const peersOf = (list: { chats: ChatEntry[] }) => list.chats.map((chat) => chat.friend.id);

/** What `total_unread` must be: the owner's unread outside muted chats, summed in SQL. */
async function unmutedUnreadSum(owner: TestUser): Promise<number> {
  const db = await getDb();
  const row = await db
    .selectFrom('conversations')
    .select(sql<number | string | null>`sum(unread_count)`.as('total'))
    .where('owner_id', '=', owner.id)
    .where('muted', '=', 0)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

async function storedTotal(owner: TestUser): Promise<number> {
  const db = await getDb();
  const row = await db
    .selectFrom('unread_totals')
    .select('unread_count')
    .where('user_id', '=', owner.id)
    .executeTakeFirst();
  return Number(row?.unread_count ?? 0);
}

/** total_unread, the stored total and the SUM over unmuted chats agree, and equal `expected`. */
async function expectTotalUnread(owner: TestUser, expected: number): Promise<void> {
  expect((await chatList(owner)).total_unread).toBe(expected);
  expect(await storedTotal(owner)).toBe(expected);
  expect(await unmutedUnreadSum(owner)).toBe(expected);
}

async function connectWith(token: string): Promise<string> {
  const id = connectionId();
  const response = await invokeWs(connect, '$connect', { connectionId: id, query: { token } });
  expect(response.status).toBe(200);
  return id;
}

async function sent(from: TestUser, to: TestUser, content: string) {
  const response = await sendMessage(from, to, content);
  expect(response.status).toBe(201);
  return response.body.data.message;
}

describe('POST /api/message/chat_settings', () => {
  let alice: TestUser;
  let bob: TestUser;
  beforeEach(async () => {
    [alice, bob] = await registerFriends();
    await sent(bob, alice, 'hi');
  });

  it('saves one setting, keeps the others, and answers all three', async () => {
    const response = await settings(alice, { friend_id: bob.id, pinned: true });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '会话设置已保存',
      data: { friend_id: bob.id, pinned: true, muted: false, hidden: false },
    });
    expect(await conversationRow(alice.id, bob.id)).toMatchObject({
      pinned: 1,
      muted: 0,
      hidden: 0,
    });

    expect(await saved(alice, bob, { muted: true })).toEqual({
      friend_id: bob.id,
      pinned: true,
      muted: true,
      hidden: false,
    });
    expect(await saved(alice, bob, { pinned: false, hidden: true })).toEqual({
      friend_id: bob.id,
      pinned: false,
      muted: true,
      hidden: true,
    });
    expect(await conversationRow(alice.id, bob.id)).toMatchObject({
      pinned: 0,
      muted: 1,
      hidden: 1,
    });
  });

  it('takes friend_id as a string of digits', async () => {
    const response = await settings(alice, { friend_id: String(bob.id), muted: true });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      friend_id: bob.id,
      pinned: false,
      muted: true,
      hidden: false,
    });
  });

  it("changes only the caller's own settings, never the peer's", async () => {
    await saved(alice, bob, { pinned: true, muted: true, hidden: true });
    expect(await conversationRow(bob.id, alice.id)).toMatchObject({
      pinned: 0,
      muted: 0,
      hidden: 0,
    });
    const bobs = await chatList(bob);
    expect(bobs.chats).toEqual([
      expect.objectContaining({
        friend: expect.objectContaining({ id: alice.id }),
        pinned: false,
        muted: false,
      }),
    ]);
  });

  it('works on a chat with someone no longer a friend', async () => {
    const removed = await invoke(removeFriend, { token: alice.token, body: { friend_id: bob.id } });
    expect(removed.status).toBe(200);
    expect((await saved(alice, bob, { pinned: true })).pinned).toBe(true);
    expect((await chatList(alice)).chats[0]).toMatchObject({ is_friend: false, pinned: true });
  });

  const BOOLEAN = '必须是 true 或 false';
  it.each([
    ['no setting at all', {}, 'body', '至少提供以下之一：pinned, muted, hidden'],
    [
      'undefined settings',
      { pinned: undefined },
      'body',
      '至少提供以下之一：pinned, muted, hidden',
    ],
    ['"true" as a string', { pinned: 'true' }, 'pinned', BOOLEAN],
    ['1 for muted', { muted: 1 }, 'muted', BOOLEAN],
    ['0 for hidden', { hidden: 0 }, 'hidden', BOOLEAN],
    ['null for pinned', { pinned: null }, 'pinned', BOOLEAN],
    ['"false" beside a valid setting', { hidden: 'false', pinned: true }, 'hidden', BOOLEAN],
  ])('answers 400 VALIDATION_ERROR for %s and changes nothing', async (_, extra, field, text) => {
    const before = await conversationRow(alice.id, bob.id);
    const response = await settings(alice, { friend_id: bob.id, ...extra });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: '请求参数无效',
      code: 'VALIDATION_ERROR',
      details: [{ field, message: text }],
    });
    expect(await conversationRow(alice.id, bob.id)).toEqual(before);
  });

  it('answers 400 VALIDATION_ERROR for a missing or malformed friend_id', async () => {
    for (const body of [
      { pinned: true },
      { friend_id: 0, pinned: true },
      { friend_id: 'x', pinned: true },
    ]) {
      const response = await settings(alice, body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
      expect(response.body.details).toContainEqual({
        field: 'friend_id',
        message: expect.any(String),
      });
    }
  });

  it('answers 404 CHAT_NOT_FOUND for a friend never messaged, an unknown id and oneself', async () => {
    const carol = await registerUser();
    await befriend(alice, carol);
    for (const friendId of [carol.id, 2_000_000_000, alice.id]) {
      const response = await settings(alice, { friend_id: friendId, pinned: true });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: '会话不存在', code: 'CHAT_NOT_FOUND' });
    }
    expect(await conversationRow(alice.id, carol.id)).toBeUndefined();
    const english = await settings(
      alice,
      { friend_id: carol.id, muted: true },
      { 'Accept-Language': 'en' },
    );
    expect(english.body).toEqual({ error: 'Chat not found', code: 'CHAT_NOT_FOUND' });
  });

  it('answers 401 without a token and changes nothing', async () => {
    const before = await conversationRow(alice.id, bob.id);
    for (const token of [undefined, 'nonsense']) {
      const response = await invoke(chatSettings, {
        token,
        body: { friend_id: bob.id, pinned: true },
      });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHORIZED');
    }
    expect(await conversationRow(alice.id, bob.id)).toEqual(before);
  });
});

describe('pinned chats', () => {
  it('come first, each group newest first, and move with new messages', async () => {
    const me = await registerUser();
    const peers: TestUser[] = [];
    for (let index = 0; index < 5; index += 1) {
      const peer = await registerUser();
      await befriend(me, peer);
      await sent(peer, me, `from ${index}`);
      peers.push(peer);
    }
    const [p0, p1, p2, p3, p4] = peers as [TestUser, TestUser, TestUser, TestUser, TestUser];
    expect(peersOf(await chatList(me))).toEqual([p4.id, p3.id, p2.id, p1.id, p0.id]);

    await saved(me, p1, { pinned: true });
    await saved(me, p3, { pinned: true });
    const list = await chatList(me);
    expect(peersOf(list)).toEqual([p3.id, p1.id, p4.id, p2.id, p0.id]);
    expect(list.chats.map((chat) => chat.pinned)).toEqual([true, true, false, false, false]);
    expect(list.chats.every((chat) => chat.muted === false)).toBe(true);

    // A new message reorders within its group only.
    await sent(me, p0, 'to the oldest');
    expect(peersOf(await chatList(me))).toEqual([p3.id, p1.id, p0.id, p4.id, p2.id]);
    await sent(p1, me, 'pinned and newest');
    expect(peersOf(await chatList(me))).toEqual([p1.id, p3.id, p0.id, p4.id, p2.id]);

    // The limit cuts the list in that order.
    expect(peersOf(await chatList(me, { limit: '3' }))).toEqual([p1.id, p3.id, p0.id]);

    // Unpinned, a chat falls back to its place by its last message.
    await saved(me, p3, { pinned: false });
    expect(peersOf(await chatList(me))).toEqual([p1.id, p0.id, p4.id, p3.id, p2.id]);
    // The peers' own lists know nothing of it.
    expect((await chatList(p1)).chats[0]?.pinned).toBe(false);
  });
});

describe('muted chats', () => {
  it('leave total_unread but keep unread_count; sends and reads while muted keep the total exact', async () => {
    const me = await registerUser();
    const [bob, carol] = [await registerUser(), await registerUser()];
    await befriend(me, bob);
    await befriend(me, carol);
    const fromBob = await sendMany(bob, me, 3, 'bob');
    await sendMany(carol, me, 2, 'carol');
    await expectTotalUnread(me, 5);

    await saved(me, bob, { muted: true });
    let list = await chatList(me);
    expect(list.total_unread).toBe(2);
    const bobEntry = () => list.chats.find((chat) => chat.friend.id === bob.id);
    expect(bobEntry()).toMatchObject({ unread_count: 3, muted: true });
    await expectTotalUnread(me, 2);

    // Muting again changes nothing (no second subtraction).
    await saved(me, bob, { muted: true });
    await expectTotalUnread(me, 2);

    // New messages in the muted chat count in its unread_count only.
    await sendMany(bob, me, 2, 'bob-muted');
    list = await chatList(me);
    expect(bobEntry()?.unread_count).toBe(5);
    await expectTotalUnread(me, 2);
    await sent(carol, me, 'carol again');
    await expectTotalUnread(me, 3);

    // Reading part of the muted chat takes nothing off the total.
    const marked = await invoke(markRead, {
      token: me.token,
      body: { sender_id: bob.id, up_to_id: fromBob[1] },
    });
    expect(marked.body.data.updated).toBe(2);
    list = await chatList(me);
    expect(bobEntry()?.unread_count).toBe(3);
    expect(await countUnread(me.id, bob.id)).toBe(3);
    await expectTotalUnread(me, 3);

    // Unmuting puts back what is unread now; unmuting again adds nothing.
    await saved(me, bob, { muted: false });
    await expectTotalUnread(me, 6);
    await saved(me, bob, { muted: false });
    await expectTotalUnread(me, 6);
    list = await chatList(me);
    expect(bobEntry()).toMatchObject({ unread_count: 3, muted: false });

    // Reading an unmuted chat takes it off again.
    await invoke(markRead, { token: me.token, body: { sender_id: carol.id } });
    await expectTotalUnread(me, 3);
    // Other settings leave the total alone.
    await saved(me, bob, { pinned: true, hidden: true });
    await saved(me, bob, { hidden: false });
    await expectTotalUnread(me, 3);
  });

  it('mute, read everything, unmute: the total is exactly what is unread', async () => {
    const [me, bob] = await registerFriends();
    await sendMany(bob, me, 4, 'x');
    await saved(me, bob, { muted: true });
    await expectTotalUnread(me, 0);
    await invoke(markRead, { token: me.token, body: { sender_id: bob.id } });
    await saved(me, bob, { muted: false });
    await expectTotalUnread(me, 0);
    await sent(bob, me, 'one more');
    await expectTotalUnread(me, 1);
  });

  it("a peer's mute never touches the caller's total", async () => {
    const [me, bob] = await registerFriends();
    await sendMany(bob, me, 2, 'to me');
    await sendMany(me, bob, 3, 'to bob');
    await saved(bob, me, { muted: true });
    await expectTotalUnread(me, 2);
    await expectTotalUnread(bob, 0);
    expect((await chatList(bob)).chats[0]).toMatchObject({ unread_count: 3, muted: true });
  });
});

describe('hidden chats', () => {
  it('leave the list until a new message from either side brings them back as message.new', async () => {
    const me = await registerUser();
    const [bob, carol] = [await registerUser(), await registerUser()];
    await befriend(me, bob);
    await befriend(me, carol);
    await sent(bob, me, 'old');
    await sent(carol, me, 'carol');
    const myPhone = await connectWith(me.token);

    await saved(me, bob, { hidden: true });
    expect(peersOf(await chatList(me))).toEqual([carol.id]);
    // Only for me: Bob still sees the chat.
    expect(peersOf(await chatList(bob))).toEqual([me.id]);

    // Bob writes: the chat is back, and I hear an ordinary message.new.
    gateway.reset();
    const fromBob = await sent(bob, me, 'are you there?');
    expect(gateway.eventsTo(myPhone)).toEqual([
      { type: 'message.new', data: { message: fromBob } },
    ]);
    let list = await chatList(me);
    expect(peersOf(list)).toEqual([bob.id, carol.id]);
    expect(list.chats[0]).toMatchObject({ last_message: fromBob, unread_count: 2 });
    expect((await conversationRow(me.id, bob.id))?.hidden).toBe(0);

    // Hidden again, then I write: back as well.
    await saved(me, bob, { hidden: true });
    expect(peersOf(await chatList(me))).toEqual([carol.id]);
    const fromMe = await sent(me, bob, 'yes');
    list = await chatList(me);
    expect(peersOf(list)).toEqual([bob.id, carol.id]);
    expect(list.chats[0]?.last_message).toEqual(fromMe);

    // Unhiding by setting works too.
    await saved(me, carol, { hidden: true });
    expect(peersOf(await chatList(me))).toEqual([bob.id]);
    await saved(me, carol, { hidden: false });
    expect(peersOf(await chatList(me))).toEqual([bob.id, carol.id]);
  });

  it('stay hidden on a replay of an earlier client_msg_id (nothing new was sent)', async () => {
    const [me, bob] = await registerFriends();
    const first = await sendMessage(bob, me, 'once', { client_msg_id: 'k1' });
    expect(first.status).toBe(201);
    await saved(me, bob, { hidden: true });
    const replay = await sendMessage(bob, me, 'once', { client_msg_id: 'k1' });
    expect(replay.status).toBe(200);
    expect((await chatList(me)).chats).toEqual([]);
  });

  it('keep a pinned chat pinned when it comes back', async () => {
    const [me, bob] = await registerFriends();
    const carol = await registerUser();
    await befriend(me, carol);
    await sent(bob, me, 'b');
    await sent(carol, me, 'c');
    await saved(me, bob, { pinned: true, hidden: true });
    expect(peersOf(await chatList(me))).toEqual([carol.id]);
    await sent(bob, me, 'back');
    await sent(carol, me, 'newer');
    const list = await chatList(me);
    expect(peersOf(list)).toEqual([bob.id, carol.id]);
    expect(list.chats[0]?.pinned).toBe(true);
  });

  it('still count in total_unread (only muting takes a chat out), even when every chat is hidden', async () => {
    const me = await registerUser();
    const [bob, carol] = [await registerUser(), await registerUser()];
    await befriend(me, bob);
    await befriend(me, carol);
    await sendMany(bob, me, 3, 'bob');
    await sendMany(carol, me, 2, 'carol');

    await saved(me, bob, { hidden: true });
    expect(peersOf(await chatList(me))).toEqual([carol.id]);
    await expectTotalUnread(me, 5);

    // With nothing left to show, the total is still the same.
    await saved(me, carol, { hidden: true });
    const list = await chatList(me);
    expect(list.chats).toEqual([]);
    expect(list.total_unread).toBe(5);

    // A muted hidden chat is out of it, as any muted chat.
    await saved(me, carol, { muted: true });
    expect((await chatList(me)).total_unread).toBe(3);
  });
});
