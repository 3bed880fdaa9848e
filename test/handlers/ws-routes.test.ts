import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { handler as changePassword } from '../../functions/auth/change-password';
import { handler as logout } from '../../functions/auth/logout';
import { handler as removeFriend } from '../../functions/friend/remove';
import { handler as connect } from '../../functions/ws/connect';
import { handler as wsDefault } from '../../functions/ws/default';
import { handler as disconnect } from '../../functions/ws/disconnect';
import { handler as ping } from '../../functions/ws/ping';
import { handler as typing } from '../../functions/ws/typing';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens';
import { getDb, observeQueries } from '../../lib/db/connection';
import { MAX_CONNECTIONS_PER_USER } from '../../lib/realtime/connections';
import type { WsHandler } from '../../lib/ws/handler';
import { befriend, registerFriends } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
import { freePort } from '../helpers/ports';
import { registerUser, type TestUser } from '../helpers/users';
import { connectionId, invokeWs, useRecordingGateway, ageConnection } from '../helpers/ws';

/**
 * Every WebSocket route as API Gateway invokes it: the handshake's token check and the
 * stored connection ($connect), forgetting it ($disconnect), ping, typing and the frames no
 * route takes ($default), with what a client would see (status, frames) and what the
 * database and the management API end up with.
 */
const gateway = useRecordingGateway();

const secret = process.env.JWT_SECRET_KEY ?? '';
const UNAUTHORIZED = { error: '未登录或登录已失效', code: 'UNAUTHORIZED', reason: 'invalid_token' };
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

async function connectionRow(id: string) {
  const db = await getDb();
  return db
    .selectFrom('connections')
    .selectAll()
    .where('connection_id', '=', id)
    .executeTakeFirst();
}

async function storedConnections(userId: number): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom('connections')
    .select('connection_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((row) => row.connection_id).sort();
}

/** Opens a connection through the real $connect handler and expects it to be accepted. */
async function connectWith(token: string, headers: Record<string, string> = {}): Promise<string> {
  const id = connectionId();
  const response = await invokeWs(connect, '$connect', {
    connectionId: id,
    query: { token },
    headers,
  });
  expect(response.status).toBe(200);
  return id;
}

/** The claims an access token of this service carries (lib/auth/tokens.ts). */
function claimsOf(token: string): { sub: string; ver: number; sid: string; typ: string } {
  return jwt.decode(token) as { sub: string; ver: number; sid: string; typ: string };
}

/** An access token for `user` signed by the test, with an explicit expiry (seconds from now). */
function signAccessToken(user: TestUser, options: { key?: string; expiresIn: number }): string {
  const { ver, sid } = claimsOf(user.token);
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign(
    { typ: 'access', ver, sid, iat: now - 60, exp: now + options.expiresIn },
    options.key ?? secret,
    {
      algorithm: 'HS256',
      subject: String(user.id),
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
    },
  );
}

/** Sends a frame's text on a connection, through a route's handler. */
function frame(handler: WsHandler, routeKey: string, id: string, body: unknown) {
  return invokeWs(handler, routeKey, {
    connectionId: id,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const sendTyping = (id: string, body: unknown) => frame(typing, 'typing', id, body);
const sendPingWith = (handler: WsHandler, id: string) =>
  frame(handler, 'ping', id, { action: 'ping' });
const sendPing = (id: string) => sendPingWith(ping, id);

function errorFrame(code: string, error: string, details?: unknown) {
  const reason = code === 'UNAUTHORIZED' ? { reason: 'invalid_token' } : {};
  return {
    type: 'error',
    data: { code, error, ...(details === undefined ? {} : { details }), ...reason },
  };
}

/** What a refused handshake must look like: 401, the contract body, nothing stored. */
async function expectRefused(
  options: { query?: Record<string, string>; headers?: Record<string, string> },
  user?: TestUser,
  reason = 'invalid_token',
) {
  const id = connectionId();
  const response = await invokeWs(connect, '$connect', { connectionId: id, ...options });
  expect(response.status).toBe(401);
  expect(response.frame).toEqual({ ...UNAUTHORIZED, reason });
  expect(await connectionRow(id)).toBeUndefined();
  if (user) expect(await storedConnections(user.id)).toEqual([]);
  // A refused handshake closes nothing and pushes nothing.
  expect(gateway.closed).toEqual([]);
  expect(gateway.posted).toEqual([]);
}

describe('$connect', () => {
  it('accepts ?token= and stores the connection: user, login, language, time', async () => {
    const user = await registerUser();
    const id = connectionId();
    const before = Date.now();
    const response = await invokeWs(connect, '$connect', {
      connectionId: id,
      query: { token: user.token },
    });
    expect(response).toEqual({ status: 200, frame: undefined });
    const row = await connectionRow(id);
    expect(row).toEqual({
      connection_id: id,
      user_id: user.id,
      session_id: Number(claimsOf(user.token).sid),
      language: 'zh',
      connected_at: expect.stringMatching(TIMESTAMP),
    });
    const connectedAt = Date.parse(`${row?.connected_at.replace(' ', 'T')}Z`);
    expect(connectedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(connectedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('accepts an Authorization: Bearer header', async () => {
    const user = await registerUser();
    const id = connectionId();
    const response = await invokeWs(connect, '$connect', {
      connectionId: id,
      headers: { Authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(200);
    expect(await connectionRow(id)).toMatchObject({ user_id: user.id, language: 'zh' });
  });

  it.each([
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['fr-FR, en;q=0.5', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
    ['fr', 'zh'],
    ['*', 'zh'],
  ])('stores the language negotiated from Accept-Language: %s -> %s', async (header, stored) => {
    const user = await registerUser();
    const id = connectionId();
    const response = await invokeWs(connect, '$connect', {
      connectionId: id,
      query: { token: user.token },
      headers: { 'Accept-Language': header },
    });
    expect(response.status).toBe(200);
    expect((await connectionRow(id))?.language).toBe(stored);
  });

  it('keeps each connection of a user apart', async () => {
    const user = await registerUser();
    const first = await connectWith(user.token);
    const second = await connectWith(user.token, { 'Accept-Language': 'en' });
    expect(await storedConnections(user.id)).toEqual([first, second].sort());
    expect((await connectionRow(first))?.language).toBe('zh');
    expect((await connectionRow(second))?.language).toBe('en');
  });

  it('refuses a handshake without a token: 401, nothing stored', async () => {
    await expectRefused({}, undefined, 'missing_token');
    await expectRefused(
      { query: {}, headers: { 'Accept-Language': 'zh' } },
      undefined,
      'missing_token',
    );
  });

  it.each<[string, { query?: Record<string, string>; headers?: Record<string, string> }, string]>([
    ['not a JWT', { query: { token: 'not-a-token' } }, 'invalid_token'],
    ['three random parts', { query: { token: 'aaaa.bbbb.cccc' } }, 'invalid_token'],
    ['an empty ?token=', { query: { token: '' } }, 'invalid_token'],
    ['characters no token has', { query: { token: 'abc def' } }, 'invalid_token'],
    ['a Basic header', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }, 'missing_token'],
    [
      'a Bearer header with nothing after it',
      { headers: { Authorization: 'Bearer' } },
      'missing_token',
    ],
  ])('refuses a malformed token (%s)', async (_, options, reason) => {
    await expectRefused(options, undefined, reason);
  });

  it('refuses a token signed with another secret (and accepts the same one signed right)', async () => {
    const user = await registerUser();
    const forged = signAccessToken(user, {
      key: 'another-secret-that-is-long-enough-for-hs256',
      expiresIn: 600,
    });
    await expectRefused({ query: { token: forged } }, user);
    await expectRefused({ headers: { Authorization: `Bearer ${forged}` } }, user);
    await connectWith(signAccessToken(user, { expiresIn: 600 }));
  });

  it('refuses an expired token (and accepts the same claims unexpired)', async () => {
    const user = await registerUser();
    await expectRefused(
      { query: { token: signAccessToken(user, { expiresIn: -60 }) } },
      user,
      'token_expired',
    );
    await connectWith(signAccessToken(user, { expiresIn: 60 }));
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const user = await registerUser();
    const { ver, sid } = claimsOf(user.token);
    const unsigned = jwt.sign({ typ: 'access', ver, sid }, '', {
      algorithm: 'none',
      subject: String(user.id),
      expiresIn: 600,
    });
    await expectRefused({ query: { token: unsigned } }, user);
  });

  it('refuses a refresh token presented as an access token', async () => {
    const user = await registerUser();
    await expectRefused({ query: { token: user.refreshToken } }, user);
  });

  it('refuses the token of a login that logged out', async () => {
    const user = await registerUser();
    const response = await invoke(logout, { token: user.token, method: 'POST', body: {} });
    expect(response.status).toBe(200);
    await expectRefused({ query: { token: user.token } }, user);
    await expectRefused({ headers: { Authorization: `Bearer ${user.token}` } }, user);
  });

  it('refuses a token from before a password change, and accepts the new one', async () => {
    const user = await registerUser();
    const response = await invoke(changePassword, {
      token: user.token,
      body: { old_password: user.password, new_password: 'a brand new password' },
    });
    expect(response.status).toBe(200);
    await expectRefused({ query: { token: user.token } }, user);
    const id = await connectWith(response.body.data.access_token);
    expect(await storedConnections(user.id)).toEqual([id]);
  });

  it('answers a refusal in English when the handshake asks for it', async () => {
    const id = connectionId();
    const response = await invokeWs(connect, '$connect', {
      connectionId: id,
      query: { token: 'nope' },
      headers: { 'Accept-Language': 'en' },
    });
    expect(response).toEqual({
      status: 401,
      frame: {
        error: 'Missing, invalid or expired access token',
        code: 'UNAUTHORIZED',
        reason: 'invalid_token',
      },
    });
    expect(await connectionRow(id)).toBeUndefined();
  });
});

describe('$disconnect', () => {
  it('forgets the connection, and only that one', async () => {
    const user = await registerUser();
    const leaving = await connectWith(user.token);
    const staying = await connectWith(user.token);
    const response = await invokeWs(disconnect, '$disconnect', { connectionId: leaving });
    expect(response).toEqual({ status: 200, frame: undefined });
    expect(await connectionRow(leaving)).toBeUndefined();
    expect(await storedConnections(user.id)).toEqual([staying]);
    // Nothing to close: the connection has already ended.
    expect(gateway.closed).toEqual([]);
  });

  it('is fine with a connection it does not know, or one it already forgot', async () => {
    const unknown = await invokeWs(disconnect, '$disconnect', { connectionId: connectionId() });
    expect(unknown).toEqual({ status: 200, frame: undefined });

    const user = await registerUser();
    const id = await connectWith(user.token);
    expect((await invokeWs(disconnect, '$disconnect', { connectionId: id })).status).toBe(200);
    expect((await invokeWs(disconnect, '$disconnect', { connectionId: id })).status).toBe(200);
    expect(await storedConnections(user.id)).toEqual([]);
  });

  it('stops pushes to the connection', async () => {
    const [alice, bob] = await registerFriends();
    const aliceSocket = await connectWith(alice.token);
    const bobSocket = await connectWith(bob.token);
    await invokeWs(disconnect, '$disconnect', { connectionId: bobSocket });
    expect(await sendTyping(aliceSocket, { action: 'typing', to: bob.id, state: 'start' })).toEqual(
      { status: 200, frame: undefined },
    );
    expect(gateway.posted).toEqual([]);
  });
});

describe('ping', () => {
  it('answers pong on the same connection', async () => {
    const user = await registerUser();
    const id = await connectWith(user.token);
    expect(await sendPing(id)).toEqual({ status: 200, frame: { type: 'pong', data: {} } });
    // The pong is the route response, not a push.
    expect(gateway.posted).toEqual([]);
  });

  it('never touches the database', async () => {
    await getDb();
    const queries: string[] = [];
    const stop = observeQueries((query) => queries.push(query.sql));
    try {
      // Not even for a connection it has never seen: a ping is a keep-alive.
      expect((await sendPing(connectionId())).frame).toEqual({ type: 'pong', data: {} });
      expect((await frame(ping, 'ping', connectionId(), '{"action":"ping","x":1}')).frame).toEqual({
        type: 'pong',
        data: {},
      });
    } finally {
      stop();
    }
    expect(queries).toEqual([]);
  });

  it('refuses a ping frame that is not one', async () => {
    const id = connectionId();
    expect((await frame(ping, 'ping', id, '{"action":"ping"')).frame).toEqual(
      errorFrame('INVALID_JSON', '请求体必须是 JSON 对象'),
    );
    expect((await frame(ping, 'ping', id, { action: 'PING' })).frame).toEqual(
      errorFrame('VALIDATION_ERROR', '请求参数无效', [
        { field: 'action', message: expect.any(String) },
      ]),
    );
  });
});

describe('typing', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let alicePhone: string;
  let aliceLaptop: string;
  let aliceEnglish: string;
  let bobPhone: string;
  let bobLaptop: string;
  let carolPhone: string;

  beforeAll(async () => {
    [alice, bob] = await registerFriends();
    carol = await registerUser();
    // Carol is Bob's friend, not Alice's: a stranger to Alice who is still connected.
    await befriend(carol, bob);
    alicePhone = await connectWith(alice.token);
    aliceLaptop = await connectWith(alice.token);
    aliceEnglish = await connectWith(alice.token, { 'Accept-Language': 'en' });
    bobPhone = await connectWith(bob.token);
    bobLaptop = await connectWith(bob.token);
    carolPhone = await connectWith(carol.token);
  });

  it("reaches every connection of the friend, and nobody else's", async () => {
    const response = await sendTyping(alicePhone, { action: 'typing', to: bob.id, state: 'start' });
    expect(response).toEqual({ status: 200, frame: undefined });
    const event = { type: 'typing', data: { from: alice.id, state: 'start' } };
    expect(gateway.eventsTo(bobPhone)).toEqual([event]);
    expect(gateway.eventsTo(bobLaptop)).toEqual([event]);
    expect(gateway.posted).toHaveLength(2);
    for (const id of [alicePhone, aliceLaptop, aliceEnglish, carolPhone]) {
      expect(gateway.eventsTo(id)).toEqual([]);
    }
  });

  it('carries stop, and an id sent as a string of digits', async () => {
    const response = await sendTyping(aliceLaptop, {
      action: 'typing',
      to: String(bob.id),
      state: 'stop',
    });
    expect(response).toEqual({ status: 200, frame: undefined });
    const event = { type: 'typing', data: { from: alice.id, state: 'stop' } };
    expect(gateway.posted.map((post) => post.connectionId).sort()).toEqual(
      [bobPhone, bobLaptop].sort(),
    );
    expect(gateway.posted.map((post) => post.event)).toEqual([event, event]);
  });

  it('works both ways', async () => {
    await sendTyping(bobPhone, { action: 'typing', to: alice.id, state: 'start' });
    const event = { type: 'typing', data: { from: bob.id, state: 'start' } };
    for (const id of [alicePhone, aliceLaptop, aliceEnglish]) {
      expect(gateway.eventsTo(id)).toEqual([event]);
    }
    expect(gateway.posted).toHaveLength(3);
  });

  it('is NOT_FRIENDS to a stranger, an unknown user and oneself; nothing is pushed', async () => {
    const notFriends = errorFrame('NOT_FRIENDS', '对方不是你的好友');
    for (const to of [carol.id, 2_000_000_000, alice.id, String(carol.id)]) {
      const response = await sendTyping(alicePhone, { action: 'typing', to, state: 'start' });
      expect(response).toEqual({ status: 200, frame: notFriends });
    }
    expect(gateway.posted).toEqual([]);
    expect(gateway.closed).toEqual([]);
  });

  it('is NOT_FRIENDS once the friendship has ended', async () => {
    const [dave, erin] = await registerFriends();
    const davePhone = await connectWith(dave.token);
    const erinPhone = await connectWith(erin.token);
    expect(
      (await sendTyping(davePhone, { action: 'typing', to: erin.id, state: 'start' })).frame,
    ).toBeUndefined();
    expect(gateway.eventsTo(erinPhone)).toHaveLength(1);
    gateway.reset();

    const removed = await invoke(removeFriend, { token: erin.token, body: { friend_id: dave.id } });
    expect(removed.status).toBe(200);
    gateway.reset();
    const response = await sendTyping(davePhone, { action: 'typing', to: erin.id, state: 'stop' });
    expect(response.frame).toEqual(errorFrame('NOT_FRIENDS', '对方不是你的好友'));
    expect(gateway.posted).toEqual([]);
  });

  it('answers in English on a connection opened in English', async () => {
    const response = await sendTyping(aliceEnglish, {
      action: 'typing',
      to: carol.id,
      state: 'start',
    });
    expect(response.frame).toEqual(errorFrame('NOT_FRIENDS', 'This user is not your friend'));
    const invalid = await sendTyping(aliceEnglish, { action: 'typing', to: 'abc', state: 'maybe' });
    expect(invalid.frame).toEqual(
      errorFrame('VALIDATION_ERROR', 'The request is invalid', [
        { field: 'to', message: 'must be a positive integer' },
        { field: 'state', message: 'must be one of: start, stop' },
      ]),
    );
    const malformed = await frame(typing, 'typing', aliceEnglish, '{"action":"typing",');
    expect(malformed.frame).toEqual(
      errorFrame('INVALID_JSON', 'The request body must be a JSON object'),
    );
    expect(gateway.posted).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, { field: string; message: string }[]]>([
    [
      "state 'maybe'",
      { to: 0, state: 'maybe' },
      [
        { field: 'to', message: '必须是正整数' },
        { field: 'state', message: '须为以下之一：start, stop' },
      ],
    ],
    ["to 'abc'", { to: 'abc', state: 'start' }, [{ field: 'to', message: '必须是正整数' }]],
    ['to missing', { state: 'start' }, [{ field: 'to', message: '必填' }]],
    ['to a fraction', { to: 1.5, state: 'start' }, [{ field: 'to', message: '必须是正整数' }]],
    ['to negative', { to: -1, state: 'stop' }, [{ field: 'to', message: '必须是正整数' }]],
    ['state missing', { to: 1 }, [{ field: 'state', message: '须为以下之一：start, stop' }]],
    [
      'state in capitals',
      { to: 1, state: 'START' },
      [{ field: 'state', message: '须为以下之一：start, stop' }],
    ],
  ])('refuses %s with VALIDATION_ERROR and details', async (_, fields, details) => {
    const response = await sendTyping(alicePhone, { action: 'typing', ...fields });
    expect(response).toEqual({
      status: 200,
      frame: errorFrame('VALIDATION_ERROR', '请求参数无效', details),
    });
    expect(gateway.posted).toEqual([]);
  });

  it('checks who is typing from the connection, not from the frame', async () => {
    // A `from` in the frame is ignored: Carol cannot type as Alice.
    const response = await sendTyping(carolPhone, {
      action: 'typing',
      to: bob.id,
      state: 'start',
      from: alice.id,
    });
    expect(response.frame).toBeUndefined();
    expect(gateway.eventsTo(bobPhone)).toEqual([
      { type: 'typing', data: { from: carol.id, state: 'start' } },
    ]);
  });

  it('forgets a friend connection the gateway reports gone, and still reaches the others', async () => {
    const [frank, grace] = await registerFriends();
    const frankPhone = await connectWith(frank.token);
    const graceOld = await connectWith(grace.token);
    const graceNew = await connectWith(grace.token);
    gateway.gone.add(graceOld);
    await ageConnection(graceOld);
    const response = await sendTyping(frankPhone, {
      action: 'typing',
      to: grace.id,
      state: 'start',
    });
    expect(response).toEqual({ status: 200, frame: undefined });
    expect(gateway.eventsTo(graceNew)).toEqual([
      { type: 'typing', data: { from: frank.id, state: 'start' } },
    ]);
    expect(await storedConnections(grace.id)).toEqual([graceNew]);
  });
});

describe('$default', () => {
  let user: TestUser;
  let socket: string;

  beforeAll(async () => {
    user = await registerUser();
    socket = await connectWith(user.token);
  });

  const actionDetails = [{ field: 'action', message: '须为以下之一：ping, typing' }];
  it.each<[string, string, object]>([
    ['non-JSON', 'hello', errorFrame('INVALID_JSON', '请求体必须是 JSON 对象')],
    ['an empty frame', '', errorFrame('INVALID_JSON', '请求体必须是 JSON 对象')],
    ['a JSON array', '[{"action":"ping"}]', errorFrame('INVALID_JSON', '请求体必须是 JSON 对象')],
    ['a JSON string', '"ping"', errorFrame('INVALID_JSON', '请求体必须是 JSON 对象')],
    ['JSON null', 'null', errorFrame('INVALID_JSON', '请求体必须是 JSON 对象')],
    ['{}', '{}', errorFrame('VALIDATION_ERROR', '请求参数无效', actionDetails)],
    [
      'an unknown action',
      '{"action":"dance"}',
      errorFrame('VALIDATION_ERROR', '请求参数无效', actionDetails),
    ],
    [
      'a numeric action',
      '{"action":5}',
      errorFrame('VALIDATION_ERROR', '请求参数无效', actionDetails),
    ],
    [
      'a null action',
      '{"action":null}',
      errorFrame('VALIDATION_ERROR', '请求参数无效', actionDetails),
    ],
  ])('answers %s with an error frame', async (_, body, expected) => {
    const response = await frame(wsDefault, '$default', socket, body);
    expect(response).toEqual({ status: 200, frame: expected });
    expect(gateway.posted).toEqual([]);
    expect(gateway.closed).toEqual([]);
    expect(await connectionRow(socket)).toBeDefined();
  });

  it('refuses an oversized frame as PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ action: 'dance', pad: 'x'.repeat(64 * 1024) });
    expect((await frame(wsDefault, '$default', socket, body)).frame).toEqual(
      errorFrame('PAYLOAD_TOO_LARGE', '请求体过大（上限 64 KiB）'),
    );
  });

  it('answers in English on a connection opened in English', async () => {
    const english = await connectWith(user.token, { 'Accept-Language': 'en' });
    expect((await frame(wsDefault, '$default', english, '{"action":"dance"}')).frame).toEqual(
      errorFrame('VALIDATION_ERROR', 'The request is invalid', [
        { field: 'action', message: 'must be one of: ping, typing' },
      ]),
    );
    expect((await frame(wsDefault, '$default', english, 'nope')).frame).toEqual(
      errorFrame('INVALID_JSON', 'The request body must be a JSON object'),
    );
  });

  it('refuses a frame from a connection that never connected, and closes it', async () => {
    const stranger = connectionId();
    for (const [handler, route] of [
      [wsDefault, '$default'],
      [typing, 'typing'],
    ] as const) {
      gateway.reset();
      const body = { action: 'typing', to: user.id, state: 'start' };
      const response = await frame(handler, route, stranger, body);
      expect(response).toEqual({
        status: 200,
        frame: errorFrame('UNAUTHORIZED', '未登录或登录已失效'),
      });
      expect(gateway.closed).toEqual([stranger]);
      expect(gateway.posted).toEqual([]);
    }
  });

  it('refuses a frame from a connection evicted past the cap, and closes it', async () => {
    const [owner, friend] = await registerFriends();
    const friendSocket = await connectWith(friend.token);
    const sockets: string[] = [];
    for (let index = 0; index < MAX_CONNECTIONS_PER_USER + 1; index += 1) {
      sockets.push(await connectWith(owner.token));
    }
    // The 11th connection closed the oldest.
    expect(gateway.closed).toEqual([sockets[0]]);
    const evicted = sockets[0] as string;
    expect(await connectionRow(evicted)).toBeUndefined();
    expect(await storedConnections(owner.id)).toHaveLength(MAX_CONNECTIONS_PER_USER);
    gateway.reset();

    const typed = await sendTyping(evicted, { action: 'typing', to: friend.id, state: 'start' });
    expect(typed.frame).toEqual(errorFrame('UNAUTHORIZED', '未登录或登录已失效'));
    expect(gateway.closed).toEqual([evicted]);
    expect(gateway.eventsTo(friendSocket)).toEqual([]);

    gateway.reset();
    const other = await frame(wsDefault, '$default', evicted, '{"action":"dance"}');
    expect(other.frame).toEqual(errorFrame('UNAUTHORIZED', '未登录或登录已失效'));
    expect(gateway.closed).toEqual([evicted]);

    // The connections still stored keep working.
    const kept = sockets.find((id) => id !== evicted) as string;
    expect(
      (await sendTyping(kept, { action: 'typing', to: friend.id, state: 'stop' })).frame,
    ).toBeUndefined();
  });

  it('refuses a frame from a connection whose login logged out', async () => {
    const [owner, friend] = await registerFriends();
    const socketOfOwner = await connectWith(owner.token);
    const response = await invoke(logout, { token: owner.token, method: 'POST', body: {} });
    expect(response.status).toBe(200);
    expect(await connectionRow(socketOfOwner)).toBeUndefined();
    gateway.reset();
    const typed = await sendTyping(socketOfOwner, {
      action: 'typing',
      to: friend.id,
      state: 'start',
    });
    expect(typed.frame).toEqual(errorFrame('UNAUTHORIZED', '未登录或登录已失效'));
    expect(gateway.closed).toEqual([socketOfOwner]);
    expect(gateway.posted).toEqual([]);
  });
});

describe('after an error frame', () => {
  it('the connection stays usable: still stored, still pongs, still types', async () => {
    const [alice, bob] = await registerFriends();
    const aliceSocket = await connectWith(alice.token);
    const bobSocket = await connectWith(bob.token);
    const refusals: [WsHandler, string, string][] = [
      [wsDefault, '$default', 'not json'],
      [wsDefault, '$default', '{"action":"dance"}'],
      [typing, 'typing', '{"action":"typing","to":"abc","state":"start"}'],
      [typing, 'typing', JSON.stringify({ action: 'typing', to: alice.id, state: 'start' })],
      [ping, 'ping', '[]'],
    ];
    for (const [handler, route, body] of refusals) {
      const refused = await frame(handler, route, aliceSocket, body);
      expect(refused.status).toBe(200);
      expect(refused.frame.type).toBe('error');
      expect(gateway.closed).toEqual([]);
      expect(await connectionRow(aliceSocket)).toMatchObject({ user_id: alice.id });
      expect(await sendPing(aliceSocket)).toEqual({
        status: 200,
        frame: { type: 'pong', data: {} },
      });
    }
    const typed = await sendTyping(aliceSocket, { action: 'typing', to: bob.id, state: 'start' });
    expect(typed).toEqual({ status: 200, frame: undefined });
    expect(gateway.eventsTo(bobSocket)).toEqual([
      { type: 'typing', data: { from: alice.id, state: 'start' } },
    ]);
  });
});

describe('when the database cannot be reached', () => {
  it('refuses the handshake with 503, answers frames with SERVICE_UNAVAILABLE, still pongs', async () => {
    const user = await registerUser();
    // Nothing listens on a port that was just free.
    const container = loadContainer(
      {
        DB_TYPE: 'mysql',
        DB_HOST: '127.0.0.1',
        DB_PORT: String(await freePort()),
        DB_CONNECT_TIMEOUT_MS: '1000',
      },
      {
        connect: '../../functions/ws/connect',
        typing: '../../functions/ws/typing',
        ping: '../../functions/ws/ping',
      },
    );
    const down = container.handlers as unknown as Record<'connect' | 'typing' | 'ping', WsHandler>;
    try {
      const id = connectionId();
      const refused = await invokeWs(down.connect, '$connect', {
        connectionId: id,
        query: { token: user.token },
      });
      expect(refused).toEqual({
        status: 503,
        frame: { error: '服务暂时不可用，请稍后再试', code: 'SERVICE_UNAVAILABLE' },
      });
      const typed = await frame(down.typing, 'typing', id, {
        action: 'typing',
        to: user.id + 1,
        state: 'start',
      });
      expect(typed).toEqual({
        status: 200,
        frame: errorFrame('SERVICE_UNAVAILABLE', '服务暂时不可用，请稍后再试'),
      });
      expect(await sendPingWith(down.ping, id)).toEqual({
        status: 200,
        frame: { type: 'pong', data: {} },
      });
    } finally {
      await container.close();
    }
  });
});

describe('client frames (fuzz)', () => {
  const runs = Number(process.env.FUZZ_RUNS ?? 200);
  jest.setTimeout(Math.max(60_000, runs * 300));

  let alice: TestUser;
  let bob: TestUser;
  let stranger: TestUser;
  let aliceSocket: string;
  let bobSocket: string;

  beforeAll(async () => {
    [alice, bob] = await registerFriends();
    stranger = await registerUser();
    aliceSocket = await connectWith(alice.token);
    bobSocket = await connectWith(bob.token);
  });

  const allowed = new Set(['INVALID_JSON', 'VALIDATION_ERROR', 'NOT_FRIENDS', 'PAYLOAD_TOO_LARGE']);
  const texts: Record<string, string> = {
    INVALID_JSON: '请求体必须是 JSON 对象',
    VALIDATION_ERROR: '请求参数无效',
    NOT_FRIENDS: '对方不是你的好友',
    PAYLOAD_TOO_LARGE: '请求体过大（上限 64 KiB）',
  };

  /** Plausible and absurd recipients: the friend, oneself, a stranger, nobody, garbage. */
  const recipient = () =>
    fc.oneof(
      fc.constantFrom(bob.id, alice.id, stranger.id, String(bob.id), 0, -1, 2_147_483_648),
      fc.integer(),
      fc.double(),
      fc.nat().map(String),
      fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
      fc.string({ maxLength: 20 }),
      fc.jsonValue({ maxDepth: 2 }),
    );
  const frames = () =>
    fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.json({ maxDepth: 3 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            action: fc.oneof(fc.constantFrom('typing', 'ping', 'dance', ''), fc.jsonValue()),
            to: recipient(),
            state: fc.oneof(fc.constantFrom('start', 'stop', 'maybe', ''), fc.jsonValue()),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
      fc
        .record({
          action: fc.constant('typing'),
          to: recipient(),
          state: fc.constantFrom('start', 'stop'),
        })
        .map((value) => JSON.stringify(value)),
      fc.constant(JSON.stringify({ action: 'ping', pad: 'x'.repeat(64 * 1024) })),
    );

  it('lets a handshake through only with a live token, whatever else it carries', async () => {
    const user = await registerUser();
    const tampered = (token: string, index: number, char: string) => {
      const at = index % token.length;
      return `${token.slice(0, at)}${char}${token.slice(at + 1)}`;
    };
    const tokens = fc.oneof(
      fc.constant(user.token),
      fc.string({ maxLength: 60 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,20}\.[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{0,20}$/),
      fc
        .tuple(fc.nat(), fc.constantFrom('A', 'b', '0', '-', '_', '.'))
        .map(([index, char]) => tampered(user.token, index, char)),
      fc.constantFrom(user.refreshToken, `${user.token}.`, `${user.token} `, ''),
    );
    const handshakes = fc.record(
      {
        query: fc.option(fc.record({ token: tokens }), { nil: undefined }),
        authorization: fc.option(
          fc.oneof(
            tokens.map((token) => `Bearer ${token}`),
            fc.string({ maxLength: 40 }),
          ),
          { nil: undefined },
        ),
        language: fc.option(
          fc.oneof(
            fc.constantFrom('en', 'zh-CN', 'en-GB;q=0.1, zh', '*;q=0', 'en;q=abc', ';;,,'),
            fc.string({ maxLength: 30 }),
          ),
          { nil: undefined },
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(handshakes, async ({ query, authorization, language }) => {
        const id = connectionId();
        const headers: Record<string, string> = {};
        if (authorization !== undefined) headers.Authorization = authorization;
        if (language !== undefined) headers['Accept-Language'] = language;
        const response = await invokeWs(connect, '$connect', {
          connectionId: id,
          ...(query === undefined ? {} : { query }),
          headers,
        });
        // The token that counts: the query's if present, else the header's.
        const given = query?.token ?? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
        const row = await connectionRow(id);
        if (given === user.token) {
          expect(response).toEqual({ status: 200, frame: undefined });
          expect(row).toMatchObject({ user_id: user.id });
          expect(['zh', 'en']).toContain(row?.language);
        } else {
          expect(response.status).toBe(401);
          expect(response.frame.code).toBe('UNAUTHORIZED');
          expect(row).toBeUndefined();
        }
        // Keep the user under the connection cap.
        await invokeWs(disconnect, '$disconnect', { connectionId: id });
      }),
      { numRuns: runs },
    );
    expect(gateway.closed).toEqual([]);
  });

  it('answers 200 with no frame, a pong or a refusal the client can act on', async () => {
    const routes: [string, WsHandler][] = [
      ['$default', wsDefault],
      ['typing', typing],
      ['ping', ping],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), frames(), async ([route, handler], body) => {
        gateway.reset();
        const response = await frame(handler, route, aliceSocket, body);
        expect(response.status).toBe(200);
        const answer = response.frame;
        if (answer === undefined) {
          // Only a typing frame to a friend answers nothing, and it reached the friend.
          expect(route).toBe('typing');
          expect(gateway.posted.map((post) => post.connectionId)).toEqual([bobSocket]);
          expect(gateway.posted[0]?.event).toEqual({
            type: 'typing',
            data: { from: alice.id, state: expect.stringMatching(/^(start|stop)$/) },
          });
        } else if (answer.type === 'pong') {
          expect(route).toBe('ping');
          expect(answer).toEqual({ type: 'pong', data: {} });
          expect(gateway.posted).toEqual([]);
        } else {
          expect(answer.type).toBe('error');
          expect(allowed.has(answer.data.code)).toBe(true);
          expect(answer.data.error).toBe(texts[answer.data.code]);
          if (answer.data.code === 'VALIDATION_ERROR') {
            expect(answer.data.details.length).toBeGreaterThan(0);
          }
          expect(gateway.posted).toEqual([]);
        }
        expect(gateway.closed).toEqual([]);
      }),
      { numRuns: runs },
    );
    // However it went, the connection is still there.
    expect(await connectionRow(aliceSocket)).toMatchObject({ user_id: alice.id });
    expect(await sendPing(aliceSocket)).toEqual({ status: 200, frame: { type: 'pong', data: {} } });
  });
});
