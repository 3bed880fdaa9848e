import { handler as add } from '../../functions/friend/add';
import { handler as block } from '../../functions/friend/block';
import { handler as blocked } from '../../functions/friend/blocked';
import { handler as list } from '../../functions/friend/list';
import { handler as unblock } from '../../functions/friend/unblock';
import { handler as chats } from '../../functions/message/chats';
import { handler as history } from '../../functions/message/history';
import { handler as connect } from '../../functions/ws/connect';
import { handler as typing } from '../../functions/ws/typing';
import { getDb } from '../../lib/db/connection';
import { toIsoTimestamp } from '../../lib/db/time';
import { conversationRow, registerFriends, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';
import { connectionId, invokeWs, useRecordingGateway } from '../helpers/ws';

/**
 * Blocking as a client sees it: block, unblock and the blocked list (answers, errors and
 * the stored rows), the friend list's `blocked` flag, and what a block stops both ways
 * (sends and adds answer 403 BLOCKED, typing is dropped) while the friendship and history
 * stay.
 */
const gateway = useRecordingGateway();

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const BLOCKED = { error: '你们之间存在拉黑关系，无法操作', code: 'BLOCKED' };

const blockAs = (user: TestUser, target: unknown) =>
  invoke(block, { token: user.token, body: { user_id: target } });
const unblockAs = (user: TestUser, target: unknown) =>
  invoke(unblock, { token: user.token, body: { user_id: target } });

async function expectBlocked(user: TestUser, target: TestUser): Promise<void> {
  const response = await blockAs(user, target.id);
  expect(response.status).toBe(200);
  expect(response.body).toEqual({
    message: '已拉黑该用户',
    data: { user_id: target.id, blocked: true },
  });
}

async function expectUnblocked(user: TestUser, target: TestUser): Promise<void> {
  const response = await unblockAs(user, target.id);
  expect(response.status).toBe(200);
  expect(response.body).toEqual({
    message: '已取消拉黑',
    data: { user_id: target.id, blocked: false },
  });
}

/** The stored blocks made by `blocker`. */
async function blockRows(blocker: number) {
  const db = await getDb();
  return db
    .selectFrom('blocks')
    .selectAll()
    .where('blocker_id', '=', blocker)
    .orderBy('blocked_id')
    .execute();
}

/** The stored blocks between two users, either way. */
async function blocksBetween(a: TestUser, b: TestUser) {
  const db = await getDb();
  return db
    .selectFrom('blocks')
    .selectAll()
    .where('blocker_id', 'in', [a.id, b.id])
    .where('blocked_id', 'in', [a.id, b.id])
    .orderBy('blocker_id')
    .execute();
}

async function blockedList(user: TestUser) {
  const response = await invoke(blocked, { token: user.token });
  expect(response.status).toBe(200);
  expect(response.body.message).toBe('获取黑名单成功');
  return response.body.data.users as { id: number; username: string; blocked_at: string }[];
}

async function friendList(user: TestUser) {
  const response = await invoke(list, { token: user.token });
  expect(response.status).toBe(200);
  return response.body.data.friends as { id: number; blocked: boolean }[];
}

async function friendshipExists(a: TestUser, b: TestUser): Promise<boolean> {
  const db = await getDb();
  const row = await db
    .selectFrom('friendships')
    .select('created_by')
    .where('user_low_id', '=', Math.min(a.id, b.id))
    .where('user_high_id', '=', Math.max(a.id, b.id))
    .executeTakeFirst();
  return row !== undefined;
}

async function messageCount(a: TestUser, b: TestUser): Promise<number> {
  const db = await getDb();
  const rows = await db
    .selectFrom('messages')
    .select('id')
    .where('user_low_id', '=', Math.min(a.id, b.id))
    .where('user_high_id', '=', Math.max(a.id, b.id))
    .execute();
  return rows.length;
}

/** Waits until the clock shows a later millisecond, so two writes get distinct timestamps. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start + 1) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('POST /api/friend/block', () => {
  it('blocks a friend: 200, one stored row, the friendship stays', async () => {
    const [alice, bob] = await registerFriends();
    await expectBlocked(alice, bob);
    expect(await blocksBetween(alice, bob)).toEqual([
      { blocker_id: alice.id, blocked_id: bob.id, created_at: expect.any(String) },
    ]);
    expect(await friendshipExists(alice, bob)).toBe(true);
    expect((await friendList(alice)).map((friend) => friend.id)).toEqual([bob.id]);
    expect((await friendList(bob)).map((friend) => friend.id)).toEqual([alice.id]);
  });

  it('blocks a stranger too, with the id as a string of digits', async () => {
    const alice = await registerUser();
    const stranger = await registerUser();
    const response = await blockAs(alice, String(stranger.id));
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ user_id: stranger.id, blocked: true });
    expect(await blockRows(alice.id)).toHaveLength(1);
  });

  it('is idempotent: a second block answers the same and keeps one row and its time', async () => {
    const [alice, bob] = await registerFriends();
    await expectBlocked(alice, bob);
    const [first] = await blockRows(alice.id);
    await nextMillisecond();
    await expectBlocked(alice, bob);
    await expectBlocked(alice, bob);
    expect(await blockRows(alice.id)).toEqual([first]);
    expect(await blockedList(alice)).toHaveLength(1);
  });

  it('answers 404 USER_NOT_FOUND for an unknown user and 400 CANNOT_BLOCK_SELF for oneself', async () => {
    const alice = await registerUser();
    const unknown = await blockAs(alice, 2_000_000_000);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: '用户不存在', code: 'USER_NOT_FOUND' });
    const self = await blockAs(alice, alice.id);
    expect(self.status).toBe(400);
    expect(self.body).toEqual({ error: '不能拉黑自己', code: 'CANNOT_BLOCK_SELF' });
    const english = await invoke(block, {
      token: alice.token,
      body: { user_id: alice.id },
      headers: { 'Accept-Language': 'en' },
    });
    expect(english.body).toEqual({ error: 'You cannot block yourself', code: 'CANNOT_BLOCK_SELF' });
    expect(await blockRows(alice.id)).toEqual([]);
  });

  it.each([
    ['missing', {}],
    ['zero', { user_id: 0 }],
    ['negative', { user_id: -3 }],
    ['text', { user_id: 'bob' }],
    ['boolean', { user_id: true }],
  ])('answers 400 VALIDATION_ERROR for a %s user_id, on block and unblock', async (_, body) => {
    const alice = await registerUser();
    for (const handler of [block, unblock]) {
      const response = await invoke(handler, { token: alice.token, body });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: [{ field: 'user_id', message: expect.any(String) }],
      });
    }
    expect(await blockRows(alice.id)).toEqual([]);
  });

  it('answers 401 without a token on block, unblock and the blocked list', async () => {
    const [alice, bob] = await registerFriends();
    for (const [handler, body] of [
      [block, { user_id: bob.id }],
      [unblock, { user_id: bob.id }],
      [blocked, undefined],
    ] as const) {
      for (const token of [undefined, 'garbage']) {
        const response = await invoke(handler, { token, body });
        expect(response.status).toBe(401);
        expect(response.body.code).toBe('UNAUTHORIZED');
      }
    }
    expect(await blockRows(alice.id)).toEqual([]);
  });
});

describe('POST /api/friend/unblock', () => {
  it('lifts the block: the row is gone and the blocked list is empty', async () => {
    const [alice, bob] = await registerFriends();
    await expectBlocked(alice, bob);
    await expectUnblocked(alice, bob);
    expect(await blocksBetween(alice, bob)).toEqual([]);
    expect(await blockedList(alice)).toEqual([]);
  });

  it('answers 200 blocked:false for someone not blocked, and lifts only the caller’s own block', async () => {
    const [alice, bob] = await registerFriends();
    await expectUnblocked(alice, bob);

    await expectBlocked(alice, bob);
    // Bob cannot lift Alice's block by unblocking her.
    await expectUnblocked(bob, alice);
    expect(await blocksBetween(alice, bob)).toEqual([
      expect.objectContaining({ blocker_id: alice.id, blocked_id: bob.id }),
    ]);
    expect((await sendMessage(bob, alice, 'still blocked')).body).toEqual(BLOCKED);
  });

  it('answers USER_NOT_FOUND and CANNOT_BLOCK_SELF like block', async () => {
    const alice = await registerUser();
    const unknown = await unblockAs(alice, 2_000_000_000);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
    const self = await unblockAs(alice, alice.id);
    expect(self.status).toBe(400);
    expect(self.body.code).toBe('CANNOT_BLOCK_SELF');
  });
});

describe('GET /api/friend/blocked', () => {
  it('is empty for a new user', async () => {
    const alice = await registerUser();
    const response = await invoke(blocked, { token: alice.token });
    expect(response.body).toEqual({ message: '获取黑名单成功', data: { users: [] } });
  });

  it('lists the caller’s blocks newest first as {id, username, blocked_at}, nobody else’s', async () => {
    const alice = await registerUser();
    const [bob, carol, dave] = [await registerUser(), await registerUser(), await registerUser()];
    // Not in id order, so the order can only come from the time of blocking.
    for (const target of [dave, bob, carol]) {
      await expectBlocked(alice, target);
      await nextMillisecond();
    }
    // Others' blocks, including of Alice, are not hers to see.
    await expectBlocked(bob, alice);
    await expectBlocked(carol, dave);

    const users = await blockedList(alice);
    expect(users.map((user) => user.id)).toEqual([carol.id, bob.id, dave.id]);
    const stored = await blockRows(alice.id);
    for (const [user, target] of [
      [users[0], carol],
      [users[1], bob],
      [users[2], dave],
    ] as const) {
      expect(user).toEqual({
        id: target.id,
        username: target.username,
        blocked_at: expect.stringMatching(ISO),
      });
      const row = stored.find((entry) => entry.blocked_id === target.id);
      expect(user?.blocked_at).toBe(toIsoTimestamp(row?.created_at ?? ''));
    }
    const raw = JSON.stringify(users);
    expect(raw).not.toContain('@example.com');

    expect((await blockedList(bob)).map((user) => user.id)).toEqual([alice.id]);
    expect(await blockedList(dave)).toEqual([]);

    // Unblocking takes one entry out, the others keep their order.
    await expectUnblocked(alice, bob);
    expect((await blockedList(alice)).map((user) => user.id)).toEqual([carol.id, dave.id]);
  });
});

describe('friend list `blocked`', () => {
  it('is true only for friends the caller blocks, never for being blocked', async () => {
    const me = await registerUser();
    const [bob, carol, dave] = [await registerUser(), await registerUser(), await registerUser()];
    const stranger = await registerUser();
    for (const friend of [bob, carol, dave]) {
      const response = await invoke(add, {
        token: me.token,
        body: { friend_username: friend.username },
      });
      expect(response.status).toBe(201);
    }
    await expectBlocked(me, bob);
    await expectBlocked(carol, me);
    await expectBlocked(me, stranger);

    const flags = Object.fromEntries((await friendList(me)).map((f) => [f.id, f.blocked]));
    expect(flags).toEqual({ [bob.id]: true, [carol.id]: false, [dave.id]: false });
    // Bob is blocked by me, not blocking me; Carol blocks me, so her list shows it.
    expect((await friendList(bob)).find((f) => f.id === me.id)?.blocked).toBe(false);
    expect((await friendList(carol)).find((f) => f.id === me.id)?.blocked).toBe(true);

    await expectUnblocked(me, bob);
    expect((await friendList(me)).every((friend) => friend.blocked === false)).toBe(true);
  });
});

describe('what a block stops', () => {
  it('refuses sends both ways with 403 BLOCKED, storing and pushing nothing; history stays', async () => {
    const [alice, bob] = await registerFriends();
    const earlier = await sendMessage(bob, alice, 'before the block');
    expect(earlier.status).toBe(201);
    const alicePhone = await connectWithToken(alice.token);
    const bobPhone = await connectWithToken(bob.token);
    const aliceChat = await conversationRow(alice.id, bob.id);
    const bobChat = await conversationRow(bob.id, alice.id);
    await expectBlocked(alice, bob);
    gateway.reset();

    for (const [from, to] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const response = await sendMessage(from, to, 'after the block');
      expect(response.status).toBe(403);
      expect(response.body).toEqual(BLOCKED);
    }
    expect(await messageCount(alice, bob)).toBe(1);
    expect(await conversationRow(alice.id, bob.id)).toEqual(aliceChat);
    expect(await conversationRow(bob.id, alice.id)).toEqual(bobChat);
    expect(gateway.eventsTo(alicePhone)).toEqual([]);
    expect(gateway.eventsTo(bobPhone)).toEqual([]);

    // History and the chat list stay readable for both.
    for (const [reader, peer] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const page = await invoke(history, {
        token: reader.token,
        query: { friend_id: String(peer.id) },
      });
      expect(page.status).toBe(200);
      expect(page.body.data.messages).toEqual([earlier.body.data.message]);
      const list = await invoke(chats, { token: reader.token });
      expect(
        list.body.data.chats.map((chat: { friend: { id: number } }) => chat.friend.id),
      ).toEqual([peer.id]);
    }
  });

  it('refuses BLOCKED to a blocked stranger rather than NOT_FRIENDS', async () => {
    const alice = await registerUser();
    const stranger = await registerUser();
    await expectBlocked(stranger, alice);
    const response = await sendMessage(alice, stranger, 'hi');
    expect(response.status).toBe(403);
    expect(response.body).toEqual(BLOCKED);
  });

  it('refuses adds both ways with 403 BLOCKED and makes no friendship', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    await expectBlocked(alice, bob);
    for (const [from, to] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const response = await invoke(add, {
        token: from.token,
        body: { friend_username: to.username },
      });
      expect(response.status).toBe(403);
      expect(response.body).toEqual(BLOCKED);
    }
    expect(await friendshipExists(alice, bob)).toBe(false);
    expect(await friendList(alice)).toEqual([]);
    expect(await friendList(bob)).toEqual([]);

    await expectUnblocked(alice, bob);
    const added = await invoke(add, {
      token: bob.token,
      body: { friend_username: alice.username },
    });
    expect(added.status).toBe(201);
    expect(await friendshipExists(alice, bob)).toBe(true);
  });

  it('lets messages through again after unblock (201)', async () => {
    const [alice, bob] = await registerFriends();
    await expectBlocked(bob, alice);
    expect((await sendMessage(alice, bob, 'blocked')).status).toBe(403);
    await expectUnblocked(bob, alice);
    const alicePhone = await connectWithToken(alice.token);
    gateway.reset();

    const response = await sendMessage(alice, bob, 'welcome back');
    expect(response.status).toBe(201);
    expect(response.body.data.message).toMatchObject({ content: 'welcome back' });
    const reply = await sendMessage(bob, alice, 'hello again');
    expect(reply.status).toBe(201);
    expect(await messageCount(alice, bob)).toBe(2);
    expect(gateway.eventsTo(alicePhone).map((event) => event.type)).toEqual([
      'message.new',
      'message.new',
    ]);
  });

  it('needs both blocks lifted when both block', async () => {
    const [alice, bob] = await registerFriends();
    await expectBlocked(alice, bob);
    await expectBlocked(bob, alice);
    await expectUnblocked(alice, bob);
    expect((await sendMessage(alice, bob, 'one left')).body).toEqual(BLOCKED);
    expect((await sendMessage(bob, alice, 'one left')).body).toEqual(BLOCKED);
    await expectUnblocked(bob, alice);
    expect((await sendMessage(alice, bob, 'none left')).status).toBe(201);
  });

  it('still answers a retry of a message sent before the block with the original (200)', async () => {
    const [alice, bob] = await registerFriends();
    const first = await sendMessage(alice, bob, 'before', { client_msg_id: 'pre-block' });
    expect(first.status).toBe(201);
    await expectBlocked(bob, alice);
    const retry = await sendMessage(alice, bob, 'before', { client_msg_id: 'pre-block' });
    expect(retry.status).toBe(200);
    expect(retry.body.data.message).toEqual(first.body.data.message);
    const fresh = await sendMessage(alice, bob, 'new', { client_msg_id: 'post-block' });
    expect(fresh.body).toEqual(BLOCKED);
    expect(await messageCount(alice, bob)).toBe(1);
  });
});

async function connectWithToken(token: string): Promise<string> {
  const id = connectionId();
  const response = await invokeWs(connect, '$connect', { connectionId: id, query: { token } });
  expect(response.status).toBe(200);
  return id;
}

describe('typing between blocked users', () => {
  const typingFrame = (id: string, to: number, state = 'start') =>
    invokeWs(typing, 'typing', {
      connectionId: id,
      body: JSON.stringify({ action: 'typing', to, state }),
    });

  it('is dropped both ways without a frame or an error, and flows again after unblock', async () => {
    const [alice, bob] = await registerFriends();
    const alicePhone = await connectWithToken(alice.token);
    const bobPhone = await connectWithToken(bob.token);
    const bobLaptop = await connectWithToken(bob.token);

    // Before the block it reaches Bob: the frames below could have been posted.
    expect(await typingFrame(alicePhone, bob.id)).toEqual({ status: 200, frame: undefined });
    expect(gateway.eventsTo(bobPhone)).toHaveLength(1);
    gateway.reset();

    await expectBlocked(bob, alice);
    gateway.reset();
    expect(await typingFrame(alicePhone, bob.id)).toEqual({ status: 200, frame: undefined });
    expect(await typingFrame(bobPhone, alice.id, 'stop')).toEqual({
      status: 200,
      frame: undefined,
    });
    expect(gateway.posted).toEqual([]);
    expect(gateway.closed).toEqual([]);

    await expectUnblocked(bob, alice);
    gateway.reset();
    expect(await typingFrame(alicePhone, bob.id)).toEqual({ status: 200, frame: undefined });
    const event = { type: 'typing', data: { from: alice.id, state: 'start' } };
    expect(gateway.eventsTo(bobPhone)).toEqual([event]);
    expect(gateway.eventsTo(bobLaptop)).toEqual([event]);
  });
});
