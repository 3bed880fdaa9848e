import { handler as chats } from '../../functions/message/chats';
import { handler as history } from '../../functions/message/history';
import { handler as last } from '../../functions/message/last';
import { handler as markRead } from '../../functions/message/mark-read';
import { handler as recall } from '../../functions/message/recall';
import { handler as updates } from '../../functions/message/updates';
import { handler as connect } from '../../functions/ws/connect';
import { useClock } from '../../lib/clock';
import { getDb } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import type { LambdaHandler } from '../../lib/http/handler';
import { conversationRow, registerFriends, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';
import { connectionId, invokeWs, useRecordingGateway } from '../helpers/ws';

/**
 * POST /api/message/recall as a client sees it: only the sender, only within the window
 * (judged by lib/clock, moved instead of slept), the stored content erased, the recalled
 * message shown with content null wherever it is read, replays of its client_msg_id, and
 * `message.recalled` pushed once to both users.
 */
const gateway = useRecordingGateway();

afterEach(() => useClock(undefined));

/** Judges the recall window `offsetMs` after the message's created_at. */
function clockAt(message: { created_at: string }, offsetMs: number): Date {
  const at = new Date(Date.parse(message.created_at) + offsetMs);
  useClock(() => at);
  return at;
}

function recallAs(user: TestUser | undefined, messageId: unknown, headers = {}) {
  return invoke(recall, {
    token: user?.token,
    body: { message_id: messageId },
    headers,
  });
}

async function storedMessage(id: number) {
  const db = await getDb();
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

async function messagesBetween(a: TestUser, b: TestUser) {
  const db = await getDb();
  return db
    .selectFrom('messages')
    .selectAll()
    .where('user_low_id', '=', Math.min(a.id, b.id))
    .where('user_high_id', '=', Math.max(a.id, b.id))
    .orderBy('id')
    .execute();
}

async function sent(from: TestUser, to: TestUser, content: string, extra = {}) {
  const response = await sendMessage(from, to, content, extra);
  expect(response.status).toBe(201);
  return response.body.data.message;
}

async function read(handler: LambdaHandler, user: TestUser, query: Record<string, string>) {
  const response = await invoke(handler, { token: user.token, query });
  expect(response.status).toBe(200);
  return response.body.data;
}

async function connectWith(token: string): Promise<string> {
  const id = connectionId();
  const response = await invokeWs(connect, '$connect', { connectionId: id, query: { token } });
  expect(response.status).toBe(200);
  return id;
}

const NOT_FOUND = { error: '消息不存在', code: 'MESSAGE_NOT_FOUND' };
const NOT_SENDER = { error: '只能撤回自己发送的消息', code: 'NOT_SENDER' };
const WINDOW_PASSED = { error: '消息发送已超过可撤回时间', code: 'RECALL_WINDOW_PASSED' };

describe('POST /api/message/recall', () => {
  let alice: TestUser;
  let bob: TestUser;
  beforeEach(async () => {
    [alice, bob] = await registerFriends();
  });

  it('lets the sender recall 119 s after sending: content null, recalled_at set, stored content erased', async () => {
    const original = await sent(alice, bob, 'sent by mistake 🙈', { client_msg_id: 'oops-1' });
    const before = await storedMessage(original.id);
    const at = clockAt(original, 119_000);

    const response = await recallAs(alice, original.id);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '消息已撤回',
      data: { message: { ...original, content: null, recalled_at: at.toISOString() } },
    });

    // Erased in the database, not hidden; everything else as it was.
    expect(await storedMessage(original.id)).toEqual({
      ...before,
      content: '',
      recalled_at: toDbTimestamp(at),
    });
    expect(await messagesBetween(alice, bob)).toHaveLength(1);
  });

  it('takes the id as a string of digits too', async () => {
    const original = await sent(alice, bob, 'string id');
    clockAt(original, 1_000);
    const response = await recallAs(alice, String(original.id));
    expect(response.status).toBe(200);
    expect(response.body.data.message).toMatchObject({ id: original.id, content: null });
    expect((await storedMessage(original.id))?.content).toBe('');
  });

  it('refuses 121 s after sending with 403 RECALL_WINDOW_PASSED and keeps the message', async () => {
    const original = await sent(alice, bob, 'too late');
    const before = await storedMessage(original.id);
    clockAt(original, 121_000);

    const response = await recallAs(alice, original.id);
    expect(response.status).toBe(403);
    expect(response.body).toEqual(WINDOW_PASSED);
    expect(await storedMessage(original.id)).toEqual(before);
    expect(before).toMatchObject({ content: 'too late', recalled_at: null });
  });

  it('allows exactly 120 s after sending and refuses one millisecond later', async () => {
    const atEdge = await sent(alice, bob, 'at the edge');
    const justAfter = await sent(alice, bob, 'just after');

    const edge = clockAt(atEdge, 120_000);
    const allowed = await recallAs(alice, atEdge.id);
    expect(allowed.status).toBe(200);
    expect(allowed.body.data.message.recalled_at).toBe(edge.toISOString());

    clockAt(justAfter, 120_001);
    const refused = await recallAs(alice, justAfter.id);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(WINDOW_PASSED);
    expect(await storedMessage(justAfter.id)).toMatchObject({
      content: 'just after',
      recalled_at: null,
    });
  });

  it('answers 403 NOT_SENDER to the receiver and changes nothing', async () => {
    const original = await sent(alice, bob, 'mine, not yours');
    const before = await storedMessage(original.id);
    clockAt(original, 1_000);

    const response = await recallAs(bob, original.id);
    expect(response.status).toBe(403);
    expect(response.body).toEqual(NOT_SENDER);
    expect(await storedMessage(original.id)).toEqual(before);

    const english = await recallAs(bob, original.id, { 'Accept-Language': 'en' });
    expect(english.body).toEqual({
      error: 'Only the sender can recall a message',
      code: 'NOT_SENDER',
    });
  });

  it("answers 404 MESSAGE_NOT_FOUND for a stranger's message and for an unknown id", async () => {
    const stranger = await registerUser();
    const original = await sent(alice, bob, 'between us');
    const before = await storedMessage(original.id);
    clockAt(original, 1_000);

    // The stranger learns nothing: the same answer as for an id that does not exist.
    const foreign = await recallAs(stranger, original.id);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(NOT_FOUND);
    expect(await storedMessage(original.id)).toEqual(before);

    const unknown = await recallAs(alice, original.id + 1_000_000);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(NOT_FOUND);
  });

  it('answers 200 with the same message when recalled again, even after the window', async () => {
    const original = await sent(alice, bob, 'twice');
    clockAt(original, 30_000);
    const first = await recallAs(alice, original.id);
    expect(first.status).toBe(200);
    const stored = await storedMessage(original.id);

    clockAt(original, 10 * 60_000);
    const again = await recallAs(alice, original.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await storedMessage(original.id)).toEqual(stored);

    // The receiver is still not the sender, recalled or not.
    expect((await recallAs(bob, original.id)).body).toEqual(NOT_SENDER);
  });

  it('answers 400 VALIDATION_ERROR for a missing or malformed message_id', async () => {
    for (const body of [{}, { message_id: 0 }, { message_id: 'abc' }, { message_id: 1.5 }]) {
      const response = await invoke(recall, { token: alice.token, body });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: [{ field: 'message_id', message: expect.any(String) }],
      });
    }
  });

  it('answers 401 without a token, and recalls nothing', async () => {
    const original = await sent(alice, bob, 'keep me');
    clockAt(original, 1_000);
    for (const token of [undefined, 'not-a-token']) {
      const response = await recallAs(
        token === undefined ? undefined : { ...alice, token },
        original.id,
      );
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHORIZED');
    }
    expect(await storedMessage(original.id)).toMatchObject({
      content: 'keep me',
      recalled_at: null,
    });
  });

  it('shows the recalled message with content null in history, last, chats and updates, counts unchanged', async () => {
    const first = await sent(alice, bob, 'first');
    const recalled = await sent(alice, bob, 'secret');
    const chatBefore = await conversationRow(bob.id, alice.id);
    const at = clockAt(recalled, 5_000);
    expect((await recallAs(alice, recalled.id)).status).toBe(200);
    const expected = { ...recalled, content: null, recalled_at: at.toISOString() };

    for (const [reader, peer] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const page = await read(history, reader, { friend_id: String(peer.id) });
      expect(page.messages).toEqual([first, expected]);
      expect(page.total).toBe(2);

      expect((await read(last, reader, { friend_id: String(peer.id) })).message).toEqual(expected);

      const list = await read(chats, reader, {});
      expect(list.chats).toHaveLength(1);
      expect(list.chats[0].last_message).toEqual(expected);

      const caughtUp = await read(updates, reader, { after_id: String(first.id - 1) });
      expect(caughtUp.messages).toEqual([first, expected]);
    }
    expect(JSON.stringify(await read(history, bob, { friend_id: String(alice.id) }))).not.toContain(
      'secret',
    );

    // Counts and read state stay: Bob still has two unread messages, and reads both.
    expect(await conversationRow(bob.id, alice.id)).toEqual(chatBefore);
    const list = await read(chats, bob, {});
    expect(list.chats[0].unread_count).toBe(2);
    expect(list.total_unread).toBe(2);
    expect((await storedMessage(recalled.id))?.is_read).toBe(0);
    const marked = await invoke(markRead, { token: bob.token, body: { sender_id: alice.id } });
    expect(marked.body.data.updated).toBe(2);
  });

  it('answers a replay of a recalled message’s client_msg_id with the recalled message, creating nothing', async () => {
    const original = await sent(alice, bob, 'retry me', { client_msg_id: 'retry-key' });
    const at = clockAt(original, 2_000);
    expect((await recallAs(alice, original.id)).status).toBe(200);
    const chatBefore = await conversationRow(bob.id, alice.id);
    gateway.reset();

    const replay = await sendMessage(alice, bob, 'retry me', { client_msg_id: 'retry-key' });
    expect(replay.status).toBe(200);
    expect(replay.body.data.message).toEqual({
      ...original,
      content: null,
      recalled_at: at.toISOString(),
    });
    expect(await messagesBetween(alice, bob)).toHaveLength(1);
    expect((await storedMessage(original.id))?.content).toBe('');
    expect(await conversationRow(bob.id, alice.id)).toEqual(chatBefore);
    expect(gateway.posted).toEqual([]);
  });
});

describe('message.recalled', () => {
  it('reaches every connection of both users exactly once, and nobody else', async () => {
    const [alice, bob] = await registerFriends();
    const stranger = await registerUser();
    const alicePhone = await connectWith(alice.token);
    const aliceLaptop = await connectWith(alice.token);
    const bobPhone = await connectWith(bob.token);
    const strangerPhone = await connectWith(stranger.token);
    const original = await sent(alice, bob, 'take it back');
    gateway.reset();

    clockAt(original, 60_000);
    const response = await recallAs(alice, original.id);
    expect(response.status).toBe(200);
    const event = { type: 'message.recalled', data: { message: response.body.data.message } };
    expect(event.data.message.content).toBeNull();
    for (const id of [alicePhone, aliceLaptop, bobPhone]) {
      expect(gateway.eventsTo(id)).toEqual([event]);
    }
    expect(gateway.eventsTo(strangerPhone)).toEqual([]);
    expect(gateway.posted).toHaveLength(3);
    expect(JSON.stringify(gateway.posted)).not.toContain('take it back');

    // The idempotent repeat tells nobody again.
    gateway.reset();
    expect((await recallAs(alice, original.id)).status).toBe(200);
    expect(gateway.posted).toEqual([]);
  });

  it('is not pushed for a refused recall', async () => {
    const [alice, bob] = await registerFriends();
    const stranger = await registerUser();
    const alicePhone = await connectWith(alice.token);
    const bobPhone = await connectWith(bob.token);
    const original = await sent(alice, bob, 'stays');
    gateway.reset();

    clockAt(original, 1_000);
    expect((await recallAs(bob, original.id)).status).toBe(403);
    expect((await recallAs(stranger, original.id)).status).toBe(404);
    clockAt(original, 121_000);
    expect((await recallAs(alice, original.id)).status).toBe(403);
    expect(gateway.eventsTo(alicePhone)).toEqual([]);
    expect(gateway.eventsTo(bobPhone)).toEqual([]);
    expect(gateway.posted).toEqual([]);
  });
});

describe('RECALL_WINDOW_SECONDS', () => {
  /** A container with its own configuration, and its own clock to move. */
  function loadRecallContainer(env: Record<string, string>) {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      let loaded:
        | {
            recall: LambdaHandler;
            useClock: typeof useClock;
            close: () => Promise<void>;
          }
        | undefined;
      jest.isolateModules(() => {
        /* eslint-disable @typescript-eslint/no-require-imports -- loaded under `env` */
        loaded = {
          recall: require('../../functions/message/recall').handler,
          useClock: require('../../lib/clock').useClock,
          close: require('../../lib/db/connection').closeDb,
        };
        /* eslint-enable @typescript-eslint/no-require-imports */
      });
      if (!loaded) throw new Error('container not loaded');
      return loaded;
    } finally {
      process.env = saved;
    }
  }

  const container = loadRecallContainer({ RECALL_WINDOW_SECONDS: '10' });
  afterAll(() => container.close());

  it('sets the window: 10 s allowed, 10.001 s refused', async () => {
    const [alice, bob] = await registerFriends();
    const inside = await sent(alice, bob, 'inside');
    const outside = await sent(alice, bob, 'outside');
    const recallIn = (message: { id: number; created_at: string }, offsetMs: number) => {
      const at = new Date(Date.parse(message.created_at) + offsetMs);
      container.useClock(() => at);
      return invoke(container.recall, { token: alice.token, body: { message_id: message.id } });
    };
    try {
      expect((await recallIn(inside, 10_000)).status).toBe(200);
      const late = await recallIn(outside, 10_001);
      expect(late.status).toBe(403);
      expect(late.body).toEqual(WINDOW_PASSED);
      // 10.001 s is well inside the default window: the setting, not the default, decided.
      clockAt(outside, 10_001);
      expect((await recallAs(alice, outside.id)).status).toBe(200);
    } finally {
      container.useClock(undefined);
    }
    expect((await storedMessage(inside.id))?.content).toBe('');
  });
});
