import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { signUp, useOfflineApi, type CallResult } from './client';
import type { OfflineApi } from './offline';
import { openSqlite } from '../../lib/db/connection';
import { closeAllClients, refusedStatus, WsClient, type ConnectOptions } from './ws-client';

/**
 * The real-time API through serverless-offline: real WebSocket clients (`ws`) on its
 * WebSocket port, events caused over HTTP, client frames, the handshake's token check,
 * revocation, the per-user cap, gone connections, and catch-up with GET /api/message/updates.
 */

/** Long, so that a push that waited out its deadline cannot pass for a quick answer. */
const PUSH_TIMEOUT_MS = 8000;
const { api, call } = useOfflineApi({ PUSH_TIMEOUT_MS: String(PUSH_TIMEOUT_MS) });
const t = Date.now().toString(36);
let serial = 0;

afterEach(closeAllClients);

interface User {
  id: number;
  username: string;
  token: string;
}

/** A new user with a unique name (at most 32 characters). */
function newUser(prefix: string): Promise<User> {
  serial += 1;
  return signUp(api(), `${prefix}${serial}_${t}`);
}

/** The response's body when it has `status`; otherwise fails showing what came back. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions narrow it
function expectStatus(response: CallResult, status: number, what: string): any {
  if (response.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${response.text}`);
  }
  return response.body;
}

/** Another login of `user` (its own session, so its own access token). */
async function login(user: User): Promise<User> {
  const response = await call('/api/auth/login', {
    body: { username: user.username, password: 'a fine password' },
  });
  const body = expectStatus(response, 200, `login ${user.username}`);
  return { ...user, token: body.data.access_token };
}

async function befriend(a: User, b: User): Promise<void> {
  const response = await call('/api/friend/add', {
    token: a.token,
    body: { friend_username: b.username },
  });
  expectStatus(response, 201, `${a.username} adds ${b.username}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a Message from the API
async function send(from: User, to: User, content: string, clientMsgId?: string): Promise<any> {
  const response = await call('/api/message/send', {
    token: from.token,
    body: { receiver_id: to.id, content, ...(clientMsgId ? { client_msg_id: clientMsgId } : {}) },
  });
  return expectStatus(response, 201, `send ${content}`).data.message;
}

function connect(user: User, name: string, options: ConnectOptions = {}): Promise<WsClient> {
  return WsClient.connect(api().websocketUrl, name, { token: user.token, ...options });
}

/**
 * Runs statements on the database the offline functions use (SQLite file or MySQL
 * database), for states no API call can make.
 */
async function serviceDatabase(offline: OfflineApi) {
  if (offline.dbType === 'mysql') {
    const { createConnection } = await import('mysql2/promise');
    const connection = await createConnection({
      host: process.env.DB_HOST ?? '127.0.0.1',
      port: Number(process.env.DB_PORT ?? 3306),
      user: process.env.DB_USER ?? 'root',
      password: process.env.DB_PASSWORD ?? '',
      database: offline.env.DB_NAME,
    });
    return {
      run: async (text: string, params: (string | number)[]) => {
        await connection.execute(text, params);
      },
      rows: async (text: string, params: (string | number)[]) =>
        (await connection.execute(text, params))[0] as Record<string, unknown>[],
      close: () => connection.end(),
    };
  }
  const path = offline.env.SQLITE_PATH;
  if (!path) throw new Error('the offline functions run on SQLite without SQLITE_PATH');
  const db = await openSqlite(path);
  return {
    run: async (text: string, params: (string | number)[]) => {
      db.prepare(text).run(...params);
    },
    rows: async (text: string, params: (string | number)[]) =>
      db.prepare(text).all(...params) as Record<string, unknown>[],
    close: async () => {
      db.close();
    },
  };
}

/**
 * Stores a connection row for `user`'s login that the gateway does not know (what
 * $connect would write), connected at `at`; returns its id.
 */
async function storeConnectionRow(user: User, at: Date): Promise<string> {
  const id = `ghost-${randomBytes(6).toString('hex')}`;
  const database = await serviceDatabase(api());
  try {
    await database.run(
      'INSERT INTO connections (connection_id, user_id, session_id, language, connected_at) VALUES (?, ?, ?, ?, ?)',
      [id, user.id, sessionOf(user.token), 'zh', at.toISOString().slice(0, 23).replace('T', ' ')],
    );
  } finally {
    await database.close();
  }
  return id;
}

async function connectionRowExists(id: string): Promise<boolean> {
  const database = await serviceDatabase(api());
  try {
    const rows = await database.rows(
      'SELECT connection_id FROM connections WHERE connection_id = ?',
      [id],
    );
    return rows.length > 0;
  } finally {
    await database.close();
  }
}

/** The login (session) id an access token names. */
function sessionOf(token: string): number {
  const payload = jwt.decode(token) as { sid: string };
  return Number(payload.sid);
}

describe('events caused over HTTP', () => {
  it('pushes message.new to every socket of the receiver and of the sender, and to nobody else', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    const carol = await newUser('c');
    await befriend(alice, bob);
    await befriend(alice, carol);
    const alicePhone = await login(alice);

    // Query-string token and Authorization header, both accepted.
    const aliceWeb = await connect(alice, 'aliceWeb');
    const aliceMobile = await connect(alicePhone, 'aliceMobile', { via: 'header' });
    const bobSocket = await connect(bob, 'bob');
    const carolSocket = await connect(carol, 'carol');

    const sent = await send(alice, bob, 'Hello 👋 世界 𠜎', 'rt-1');
    for (const socket of [bobSocket, aliceWeb, aliceMobile]) {
      const frame = await socket.next('message.new');
      expect(frame.data).toEqual({ message: sent });
    }
    // Carol is Alice's friend too, but not part of this conversation.
    await carolSocket.expectNone('message.new');

    // A replay of the same client_msg_id creates nothing and pushes nothing.
    const replay = await call('/api/message/send', {
      token: alice.token,
      body: { receiver_id: bob.id, content: 'Hello 👋 世界 𠜎', client_msg_id: 'rt-1' },
    });
    expect(expectStatus(replay, 200, 'replay').data.message).toEqual(sent);

    // The other direction: Bob's answer reaches both of Alice's sockets and his own.
    const answer = await send(bob, alice, 'hi Alice');
    for (const socket of [aliceWeb, aliceMobile, bobSocket]) {
      expect((await socket.next('message.new')).data).toEqual({ message: answer });
    }
    await Promise.all(
      [bobSocket, aliceWeb, aliceMobile, carolSocket].map((socket) =>
        socket.expectNone('message.new'),
      ),
    );
  });

  it('pushes message.read to both sides after mark_read, and nothing when nothing changed', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    await befriend(alice, bob);
    const aliceSocket = await connect(alice, 'alice');
    const bobSocket = await connect(bob, 'bob');
    const first = await send(alice, bob, 'one');
    const second = await send(alice, bob, 'two');
    await bobSocket.next('message.new');
    await bobSocket.next('message.new');

    const marked = await call('/api/message/mark_read', {
      token: bob.token,
      body: { sender_id: alice.id },
    });
    expect(expectStatus(marked, 200, 'mark_read').data).toEqual({
      sender_id: alice.id,
      updated: 2,
    });
    for (const socket of [aliceSocket, bobSocket]) {
      const frame = await socket.next('message.read');
      expect(frame.data).toEqual({
        reader_id: bob.id,
        sender_id: alice.id,
        up_to_id: second.id,
        read_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updated: 2,
      });
    }
    // read_at is the one history now shows.
    const history = await call(`/api/message/history?friend_id=${bob.id}`, { token: alice.token });
    const readFrame = bobSocket.frames.find((frame) => frame.type === 'message.read');
    expect(
      expectStatus(history, 200, 'history').data.messages.map(
        (message: { id: number; read_at: string }) => [message.id, message.read_at],
      ),
    ).toEqual([
      [first.id, readFrame?.data.read_at],
      [second.id, readFrame?.data.read_at],
    ]);

    // Up to a given id: that id is reported.
    const third = await send(alice, bob, 'three');
    await send(alice, bob, 'four');
    const partial = await call('/api/message/mark_read', {
      token: bob.token,
      body: { sender_id: alice.id, up_to_id: third.id },
    });
    expect(expectStatus(partial, 200, 'mark_read up_to').data.updated).toBe(1);
    for (const socket of [aliceSocket, bobSocket]) {
      const frame = await socket.next('message.read');
      expect(frame.data).toMatchObject({ up_to_id: third.id, updated: 1 });
    }

    // Idempotent repeat: updated 0, no event.
    const again = await call('/api/message/mark_read', {
      token: bob.token,
      body: { sender_id: alice.id, up_to_id: third.id },
    });
    expect(expectStatus(again, 200, 'mark_read again').data.updated).toBe(0);
    await Promise.all([aliceSocket, bobSocket].map((socket) => socket.expectNone('message.read')));
  });

  it('pushes friend.added to the added user and friend.removed to the removed one', async () => {
    const alice = await newUser('a');
    const carol = await newUser('c');
    const aliceSocket = await connect(alice, 'alice');
    const carolSocket = await connect(carol, 'carol');

    const added = await call('/api/friend/add', {
      token: alice.token,
      body: { friend_username: carol.username },
    });
    const friendOfAlice = expectStatus(added, 201, 'add').data.friend;
    const addedFrame = await carolSocket.next('friend.added');
    expect(addedFrame.data).toEqual({
      friend: {
        id: alice.id,
        username: alice.username,
        created_at: expect.stringMatching(/Z$/),
        since: friendOfAlice.since,
      },
    });

    const removed = await call('/api/friend/remove', {
      token: alice.token,
      body: { friend_id: carol.id },
    });
    expect(expectStatus(removed, 200, 'remove').data).toEqual({ friend_id: carol.id });
    expect((await carolSocket.next('friend.removed')).data).toEqual({ friend_id: alice.id });

    // The one who acted hears nothing of it.
    await aliceSocket.expectQuiet(200);
    await carolSocket.expectQuiet(0);
  });
});

describe('chat management events', () => {
  it('pushes message.recalled to both users, once', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    await befriend(alice, bob);
    const aliceSocket = await connect(alice, 'alice');
    const bobSocket = await connect(bob, 'bob');
    const sent = await send(alice, bob, 'oops, wrong chat');
    await bobSocket.next('message.new');
    await aliceSocket.next('message.new');

    const recalled = await call('/api/message/recall', {
      token: alice.token,
      body: { message_id: sent.id },
    });
    const message = expectStatus(recalled, 200, 'recall').data.message;
    expect(message).toMatchObject({ id: sent.id, content: null });
    expect(message.recalled_at).toEqual(expect.any(String));
    for (const socket of [aliceSocket, bobSocket]) {
      expect((await socket.next('message.recalled')).data).toEqual({ message });
    }
    // Recalling it again answers the same and tells nobody again.
    const again = await call('/api/message/recall', {
      token: alice.token,
      body: { message_id: sent.id },
    });
    expect(expectStatus(again, 200, 'recall again').data.message).toEqual(message);
    await Promise.all(
      [aliceSocket, bobSocket].map((socket) => socket.expectNone('message.recalled')),
    );
  });

  it('drops typing and refuses messages between blocked users, without a word to the sender', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    const carol = await newUser('c');
    await befriend(alice, bob);
    await befriend(carol, alice);
    await befriend(carol, bob);
    const aliceSocket = await connect(alice, 'alice');
    const bobSocket = await connect(bob, 'bob');
    const carolSocket = await connect(carol, 'carol');
    // Typing reaches each other before the block (and the typing route is warm).
    aliceSocket.send({ action: 'typing', to: bob.id, state: 'start' });
    expect((await bobSocket.next('typing')).data).toEqual({ from: alice.id, state: 'start' });

    const blocked = await call('/api/friend/block', {
      token: bob.token,
      body: { user_id: alice.id },
    });
    expectStatus(blocked, 200, 'block');
    const refused = await call('/api/message/send', {
      token: alice.token,
      body: { receiver_id: bob.id, content: 'let me in' },
    });
    expect(refused).toAnswer(403, { code: 'BLOCKED' });

    // A typing frame answers nothing, so a frame to Carol right behind each blocked one
    // marks when it has been handled.
    for (const [from, socket, to] of [
      [alice, aliceSocket, bob],
      [bob, bobSocket, alice],
    ] as const) {
      socket.send({ action: 'typing', to: to.id, state: 'start' });
      socket.send({ action: 'typing', to: carol.id, state: 'stop' });
      expect((await carolSocket.next('typing')).data).toEqual({ from: from.id, state: 'stop' });
    }
    await Promise.all([aliceSocket.expectQuiet(), bobSocket.expectQuiet(0)]);

    const unblocked = await call('/api/friend/unblock', {
      token: bob.token,
      body: { user_id: alice.id },
    });
    expectStatus(unblocked, 200, 'unblock');
    aliceSocket.send({ action: 'typing', to: bob.id, state: 'stop' });
    expect((await bobSocket.next('typing')).data).toEqual({ from: alice.id, state: 'stop' });
  });
});

describe('client frames', () => {
  it('delivers typing to a friend, and answers NOT_FRIENDS for anyone else', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    const stranger = await newUser('s');
    await befriend(alice, bob);
    const aliceSocket = await connect(alice, 'alice');
    const bobSocket = await connect(bob, 'bob');
    const bobOther = await connect(await login(bob), 'bobOther');
    const strangerSocket = await connect(stranger, 'stranger');

    aliceSocket.send({ action: 'typing', to: bob.id, state: 'start' });
    for (const socket of [bobSocket, bobOther]) {
      expect((await socket.next('typing')).data).toEqual({ from: alice.id, state: 'start' });
    }
    // An id as a string of digits, as over HTTP.
    aliceSocket.send({ action: 'typing', to: String(bob.id), state: 'stop' });
    expect((await bobSocket.next('typing')).data).toEqual({ from: alice.id, state: 'stop' });

    for (const to of [stranger.id, alice.id, 999_999_999]) {
      aliceSocket.send({ action: 'typing', to, state: 'start' });
      const error = await aliceSocket.next('error');
      expect(error.data).toEqual({ code: 'NOT_FRIENDS', error: '对方不是你的好友' });
    }
    await strangerSocket.expectNone('typing');
    await aliceSocket.expectNone('typing', 0);
    await bobSocket.expectNone('typing', 0);
    await aliceSocket.roundTrip();
  });

  it('answers bad frames with an error frame and keeps the socket usable', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    await befriend(alice, bob);
    const socket = await connect(alice, 'alice');

    const cases: [string, string, string[]?][] = [
      ['not json', 'INVALID_JSON'],
      ['[]', 'INVALID_JSON'],
      ['[{"action":"ping"}]', 'INVALID_JSON'],
      ['"ping"', 'INVALID_JSON'],
      ['null', 'INVALID_JSON'],
      ['{"action":', 'INVALID_JSON'],
      ['{}', 'VALIDATION_ERROR', ['action']],
      ['{"action":"nope"}', 'VALIDATION_ERROR', ['action']],
      ['{"action":5}', 'VALIDATION_ERROR', ['action']],
      [JSON.stringify({ action: 'typing', state: 'start' }), 'VALIDATION_ERROR', ['to']],
      [JSON.stringify({ action: 'typing', to: 'abc', state: 'start' }), 'VALIDATION_ERROR', ['to']],
      [JSON.stringify({ action: 'typing', to: 0, state: 'start' }), 'VALIDATION_ERROR', ['to']],
      [
        JSON.stringify({ action: 'typing', to: bob.id, state: 'maybe' }),
        'VALIDATION_ERROR',
        ['state'],
      ],
      [JSON.stringify({ action: 'typing', to: -1, state: 7 }), 'VALIDATION_ERROR', ['state', 'to']],
      [
        JSON.stringify({ action: 'ping', pad: 'x'.repeat(70 * 1024) }),
        'PAYLOAD_TOO_LARGE',
        undefined,
      ],
    ];
    for (const [text, code, fields] of cases) {
      socket.send(text);
      const frame = await socket.next('error');
      const context = `${text.slice(0, 60)}\n${socket.describe().slice(0, 4000)}`;
      expect([context, frame.data.code]).toEqual([context, code]);
      expect(typeof frame.data.error).toBe('string');
      if (fields) {
        const named = (frame.data.details ?? []).map((detail: { field: string }) => detail.field);
        expect([context, [...new Set(named)].sort()]).toEqual([context, fields]);
      }
      await socket.roundTrip();
    }
    expect(socket.isOpen).toBe(true);
    // Still a working connection: it hears typing and messages.
    const bobSocket = await connect(bob, 'bob');
    bobSocket.send({ action: 'typing', to: alice.id, state: 'start' });
    expect((await socket.next('typing')).data).toEqual({ from: bob.id, state: 'start' });
    const sent = await send(bob, alice, 'still there?');
    expect((await socket.next('message.new')).data).toEqual({ message: sent });
  });

  it("answers in the handshake's language", async () => {
    const alice = await newUser('a');
    const socket = await connect(alice, 'alice', { headers: { 'accept-language': 'en-US,en' } });
    socket.send({ action: 'typing', to: 999_999_999, state: 'start' });
    expect((await socket.next('error')).data).toEqual({
      code: 'NOT_FRIENDS',
      error: 'This user is not your friend',
    });
    socket.send('[]');
    expect((await socket.next('error')).data).toEqual({
      code: 'INVALID_JSON',
      error: 'The request body must be a JSON object',
    });
  });
});

describe('the handshake', () => {
  it('refuses with 401 a missing, malformed, forged, expired or revoked token', async () => {
    const url = api().websocketUrl;
    const alice = await newUser('a');
    const claims = jwt.decode(alice.token) as Record<string, unknown>;
    const { exp, iat, ...rest } = claims;
    expect([typeof exp, typeof iat]).toEqual(['number', 'number']);
    const forged = jwt.sign(rest, 'not-the-secret-but-just-as-long-as-the-real-one', {
      algorithm: 'HS256',
      expiresIn: 600,
    });
    const secret = api().env.JWT_SECRET_KEY as string;
    const expired = jwt.sign(
      { ...rest, exp: Math.floor(Date.now() / 1000) - 60 },
      Buffer.from(secret),
      {
        algorithm: 'HS256',
      },
    );
    // The same claims signed with the right key do connect: the refusals are about the token.
    const resigned = jwt.sign(rest, Buffer.from(secret), { algorithm: 'HS256', expiresIn: 600 });
    await (await WsClient.connect(url, 'resigned', { token: resigned })).close();

    const refusals: Record<string, number> = {
      none: await refusedStatus(url),
      empty: await refusedStatus(url, { token: '' }),
      malformed: await refusedStatus(url, { token: 'not-a-jwt' }),
      malformedHeader: await refusedStatus(url, { token: 'a b c', via: 'header' }),
      forged: await refusedStatus(url, { token: forged }),
      forgedHeader: await refusedStatus(url, { token: forged, via: 'header' }),
      expired: await refusedStatus(url, { token: expired }),
    };

    const survivor = await login(alice);
    const logout = await call('/api/auth/logout', { method: 'POST', token: alice.token });
    expectStatus(logout, 200, 'logout');
    refusals.revoked = await refusedStatus(url, { token: alice.token });
    refusals.revokedHeader = await refusedStatus(url, { token: alice.token, via: 'header' });

    expect(refusals).toEqual({
      none: 401,
      empty: 401,
      malformed: 401,
      malformedHeader: 401,
      forged: 401,
      forgedHeader: 401,
      expired: 401,
      revoked: 401,
      revokedHeader: 401,
    });
    // The user's other login still connects.
    await (await connect(survivor, 'survivor')).roundTrip();
  });
});

describe('revocation, limits and gone connections', () => {
  it("logout closes that login's sockets; the user's other logins stay connected", async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    await befriend(alice, bob);
    const laptop = await login(alice);
    const phone = await login(alice);
    const laptopSockets = [
      await connect(laptop, 'laptop1'),
      await connect(laptop, 'laptop2', { via: 'header' }),
    ];
    const phoneSocket = await connect(phone, 'phone');

    const logout = await call('/api/auth/logout', { method: 'POST', token: laptop.token });
    expectStatus(logout, 200, 'logout');
    await Promise.all(laptopSockets.map((socket) => socket.waitForClose()));

    expect(phoneSocket.isOpen).toBe(true);
    await phoneSocket.roundTrip();
    const sent = await send(bob, alice, 'for the phone');
    expect((await phoneSocket.next('message.new')).data).toEqual({ message: sent });
    for (const socket of laptopSockets) {
      expect(socket.frames.filter((frame) => frame.type === 'message.new')).toEqual([]);
    }
  });

  it('a password change closes the sockets of every earlier login', async () => {
    const alice = await newUser('a');
    const other = await login(alice);
    const sockets = [await connect(alice, 'first'), await connect(other, 'second')];
    const changed = await call('/api/auth/change_password', {
      token: alice.token,
      body: { old_password: 'a fine password', new_password: 'another-password-456' },
    });
    const fresh = expectStatus(changed, 200, 'change_password').data.access_token as string;
    await Promise.all(sockets.map((socket) => socket.waitForClose()));
    await (await connect({ ...alice, token: fresh }, 'fresh')).roundTrip();
  });

  it('a vanished socket never fails a send, and the send still reaches the other sockets', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    await befriend(alice, bob);
    const bobStays = await connect(bob, 'bobStays');

    // Dropped without a closing handshake, the send right behind it.
    const dropped = await connect(bob, 'bobDropped');
    dropped.terminate();
    const first = await send(alice, bob, 'after terminate');
    expect((await bobStays.next('message.new')).data).toEqual({ message: first });

    // Closed, the send right behind it (likely before $disconnect has run).
    const closing = await connect(bob, 'bobClosing');
    closing.socket.close();
    const second = await send(alice, bob, 'after close');
    expect((await bobStays.next('message.new')).data).toEqual({ message: second });

    // Deterministic: a stored connection the gateway no longer knows (as when $disconnect
    // never ran) answers 410; the send succeeds, and the row is forgotten.
    const ghost = await storeConnectionRow(bob, new Date(Date.now() - 5 * 60_000));
    const started = Date.now();
    const third = await send(alice, bob, 'to a ghost');
    const elapsed = Date.now() - started;
    expect((await bobStays.next('message.new')).data).toEqual({ message: third });
    expect(await connectionRowExists(ghost)).toBe(false);
    // A 410 is an answer, not a timeout: the send did not wait out PUSH_TIMEOUT_MS.
    expect(elapsed).toBeLessThan(PUSH_TIMEOUT_MS / 2);
    expect(bobStays.isOpen).toBe(true);
  });

  // KNOWN BUG (reported, not fixed here): $connect stores the row before the gateway knows
  // the connection; a push in between gets 410 (offline as on AWS, until the handshake has
  // completed) and publish() deletes the row, so the socket opens but never hears another
  // event. Seen through offline in about 1 of 100 connects racing a stream of sends. This
  // row stands for such a connection: stored a moment ago, unknown to the gateway. When
  // fixed (e.g. forget 'gone' rows only once older than $connect can take), make it `it`.
  it('a push racing a $connect keeps the new connection', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    await befriend(alice, bob);
    const bobSocket = await connect(bob, 'bob');
    const connecting = await storeConnectionRow(bob, new Date());
    const sent = await send(alice, bob, 'while connecting');
    expect((await bobSocket.next('message.new')).data).toEqual({ message: sent });
    expect(await connectionRowExists(connecting)).toBe(true);
  });

  it("an 11th connection closes the user's oldest; the other 10 stay and receive", async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    await befriend(alice, bob);
    const sockets: WsClient[] = [];
    for (let index = 1; index <= 11; index += 1) {
      sockets.push(await connect(bob, `bob${index}`));
    }
    const [oldest, ...rest] = sockets as [WsClient, ...WsClient[]];
    await oldest.waitForClose();
    expect(rest.filter((socket) => !socket.isOpen).map((socket) => socket.describe())).toEqual([]);

    const sent = await send(alice, bob, 'to ten sockets');
    for (const socket of rest) {
      expect((await socket.next('message.new')).data).toEqual({ message: sent });
    }
    expect(oldest.frames).toEqual([]);
    // Still ten: a 12th closes the next oldest, bob2.
    const twelfth = await connect(bob, 'bob12');
    await rest[0]?.waitForClose();
    expect(rest.slice(1).every((socket) => socket.isOpen)).toBe(true);
    await twelfth.roundTrip();
  });
});

describe('catch-up', () => {
  it('GET /api/message/updates returns exactly what a disconnected client missed', async () => {
    const alice = await newUser('a');
    const bob = await newUser('b');
    await befriend(alice, bob);
    let bobSocket = await connect(bob, 'bob');
    const seen = await send(alice, bob, 'seen live');
    const lastSeen = (await bobSocket.next('message.new')).data.message.id as number;
    expect(lastSeen).toBe(seen.id);

    await bobSocket.close();
    const missed = [];
    for (const content of ['missed 1', 'missed 2', 'missed 3']) {
      missed.push(await send(alice, bob, content));
    }

    const updates = await call(`/api/message/updates?after_id=${lastSeen}`, { token: bob.token });
    expect(expectStatus(updates, 200, 'updates').data).toEqual({
      messages: missed,
      has_more: false,
    });
    // Paged: has_more until the last page.
    const page1 = await call(`/api/message/updates?after_id=${lastSeen}&limit=2`, {
      token: bob.token,
    });
    expect(expectStatus(page1, 200, 'updates page 1').data).toEqual({
      messages: missed.slice(0, 2),
      has_more: true,
    });
    const page2 = await call(`/api/message/updates?after_id=${missed[1].id}&limit=2`, {
      token: bob.token,
    });
    expect(expectStatus(page2, 200, 'updates page 2').data).toEqual({
      messages: missed.slice(2),
      has_more: false,
    });
    // The sender's catch-up holds the same messages.
    const aliceUpdates = await call(`/api/message/updates?after_id=${lastSeen}`, {
      token: alice.token,
    });
    expect(expectStatus(aliceUpdates, 200, 'updates alice').data.messages).toEqual(missed);

    bobSocket = await connect(bob, 'bobAgain');
    const live = await send(alice, bob, 'live again');
    expect((await bobSocket.next('message.new')).data).toEqual({ message: live });
    await bobSocket.expectNone('message.new');
  });
});
