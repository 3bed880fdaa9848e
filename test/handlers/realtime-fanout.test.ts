import { handler as changePassword } from '../../functions/auth/change-password';
import { handler as login } from '../../functions/auth/login';
import { handler as logout } from '../../functions/auth/logout';
import { handler as profile } from '../../functions/auth/profile';
import { handler as refresh } from '../../functions/auth/refresh';
import { handler as addFriend } from '../../functions/friend/add';
import { handler as removeFriend } from '../../functions/friend/remove';
import { handler as markRead } from '../../functions/message/mark-read';
import { handler as connect } from '../../functions/ws/connect';
import { hashRefreshToken } from '../../lib/auth/tokens';
import type { LambdaHandler } from '../../lib/http/handler';
import { getDb } from '../../lib/db/connection';
import { toDbTimestamp, toIsoTimestamp } from '../../lib/db/time';
import type { ConnectionGateway } from '../../lib/realtime/gateway';
import { registerFriends, sendMessage, sendMany, storedReadState } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';
import {
  connectionId,
  invokeWs,
  RecordingGateway,
  useRecordingGateway,
  ageConnection,
} from '../helpers/ws';

/**
 * What connected clients see: every event the contract lists reaches exactly the
 * connections it names (through a recording management API), nothing is pushed for
 * replays, refusals or no-ops, a gone, failing or hanging connection never fails or holds
 * up the request, revocation closes the right sockets, and the per-user cap holds even
 * under concurrent connects.
 */
const gateway = useRecordingGateway();

/** Opens a WebSocket connection with `token` through the real $connect handler. */
async function connectWith(token: string): Promise<string> {
  const id = connectionId();
  const response = await invokeWs(connect, '$connect', { connectionId: id, query: { token } });
  expect(response.status).toBe(200);
  return id;
}

/** The stored connection ids of a user, sorted. */
async function storedConnections(userId: number): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom('connections')
    .select('connection_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((row) => row.connection_id).sort();
}

async function connectionRow(id: string) {
  const db = await getDb();
  return db
    .selectFrom('connections')
    .selectAll()
    .where('connection_id', '=', id)
    .executeTakeFirst();
}

async function loginAgain(user: TestUser): Promise<{ token: string; refreshToken: string }> {
  const response = await invoke(login, {
    body: { username: user.username, password: user.password },
  });
  expect(response.status).toBe(200);
  return { token: response.body.data.access_token, refreshToken: response.body.data.refresh_token };
}

/** The public view of a user, as the profile endpoint shows it (for friend.added). */
async function publicUser(user: TestUser) {
  const response = await invoke(profile, { token: user.token });
  expect(response.status).toBe(200);
  const { id, username, created_at } = response.body.data.user;
  return { id, username, created_at };
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('message.new', () => {
  it('reaches every connection of the receiver and of the sender, once, as the send answered', async () => {
    const [alice, bob] = await registerFriends();
    const stranger = await registerUser();
    const bobPhone = await connectWith(bob.token);
    const bobLaptop = await connectWith(bob.token);
    const aliceTablet = await connectWith(alice.token);
    const strangerPhone = await connectWith(stranger.token);

    const response = await sendMessage(alice, bob, 'hello 👋', { client_msg_id: 'fanout-1' });
    expect(response.status).toBe(201);
    const message = response.body.data.message;
    expect(message).toMatchObject({
      sender_id: alice.id,
      receiver_id: bob.id,
      content: 'hello 👋',
    });

    const expected = [{ type: 'message.new', data: { message } }];
    expect(gateway.eventsTo(bobPhone)).toEqual(expected);
    expect(gateway.eventsTo(bobLaptop)).toEqual(expected);
    expect(gateway.eventsTo(aliceTablet)).toEqual(expected);
    expect(gateway.eventsTo(strangerPhone)).toEqual([]);
    expect(gateway.posted).toHaveLength(3);
  });

  it('is not pushed again for a replay with the same client_msg_id', async () => {
    const [alice, bob] = await registerFriends();
    const bobPhone = await connectWith(bob.token);
    const aliceTablet = await connectWith(alice.token);
    const first = await sendMessage(alice, bob, 'once', { client_msg_id: 'replayed' });
    expect(first.status).toBe(201);
    expect(gateway.posted).toHaveLength(2);

    gateway.reset();
    const replay = await sendMessage(alice, bob, 'once', { client_msg_id: 'replayed' });
    expect(replay.status).toBe(200);
    expect(replay.body.data.message).toEqual(first.body.data.message);
    expect(gateway.posted).toEqual([]);
    expect(gateway.eventsTo(bobPhone)).toEqual([]);
    expect(gateway.eventsTo(aliceTablet)).toEqual([]);
  });

  it('is not pushed for a refused send', async () => {
    const alice = await registerUser();
    const stranger = await registerUser();
    const aliceTablet = await connectWith(alice.token);
    const strangerPhone = await connectWith(stranger.token);

    const response = await sendMessage(alice, stranger, 'not a friend');
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('NOT_FRIENDS');
    expect(gateway.posted).toEqual([]);
    expect(gateway.eventsTo(aliceTablet)).toEqual([]);
    expect(gateway.eventsTo(strangerPhone)).toEqual([]);
  });
});

describe('message.read', () => {
  async function readAtOf(messageId: number): Promise<string | null> {
    const [row] = await storedReadState([messageId]);
    return row?.read_at == null ? null : toIsoTimestamp(row.read_at);
  }

  it('reaches both users’ connections with exactly what was read, and nothing when nothing was', async () => {
    const [alice, bob] = await registerFriends();
    const stranger = await registerUser();
    const ids = await sendMany(alice, bob, 3);
    const alicePhone = await connectWith(alice.token);
    const aliceLaptop = await connectWith(alice.token);
    const bobPhone = await connectWith(bob.token);
    const strangerPhone = await connectWith(stranger.token);
    gateway.reset();

    const response = await invoke(markRead, { token: bob.token, body: { sender_id: alice.id } });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ sender_id: alice.id, updated: 3 });

    const readAt = await readAtOf(ids[2] ?? 0);
    expect(readAt).not.toBeNull();
    const expected = [
      {
        type: 'message.read',
        data: {
          reader_id: bob.id,
          sender_id: alice.id,
          up_to_id: ids[2],
          read_at: readAt,
          updated: 3,
        },
      },
    ];
    expect(gateway.eventsTo(alicePhone)).toEqual(expected);
    expect(gateway.eventsTo(aliceLaptop)).toEqual(expected);
    expect(gateway.eventsTo(bobPhone)).toEqual(expected);
    expect(gateway.eventsTo(strangerPhone)).toEqual([]);
    expect(gateway.posted).toHaveLength(3);

    gateway.reset();
    const again = await invoke(markRead, { token: bob.token, body: { sender_id: alice.id } });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ sender_id: alice.id, updated: 0 });
    expect(gateway.posted).toEqual([]);
  });

  it('names up_to_id and counts only the messages up to it', async () => {
    const [alice, bob] = await registerFriends();
    const ids = await sendMany(alice, bob, 4);
    const alicePhone = await connectWith(alice.token);
    const bobPhone = await connectWith(bob.token);
    gateway.reset();

    const upTo = ids[1] ?? 0;
    const response = await invoke(markRead, {
      token: bob.token,
      body: { sender_id: alice.id, up_to_id: upTo },
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ sender_id: alice.id, updated: 2 });
    const expected = [
      {
        type: 'message.read',
        data: {
          reader_id: bob.id,
          sender_id: alice.id,
          up_to_id: upTo,
          read_at: await readAtOf(upTo),
          updated: 2,
        },
      },
    ];
    expect(gateway.eventsTo(alicePhone)).toEqual(expected);
    expect(gateway.eventsTo(bobPhone)).toEqual(expected);
    expect(await readAtOf(ids[2] ?? 0)).toBeNull();

    // The same bound again changes nothing and pushes nothing; the rest is another event.
    gateway.reset();
    const repeat = await invoke(markRead, {
      token: bob.token,
      body: { sender_id: alice.id, up_to_id: upTo },
    });
    expect(repeat.body.data).toEqual({ sender_id: alice.id, updated: 0 });
    expect(gateway.posted).toEqual([]);

    const rest = await invoke(markRead, { token: bob.token, body: { sender_id: alice.id } });
    expect(rest.body.data).toEqual({ sender_id: alice.id, updated: 2 });
    expect(gateway.eventsTo(alicePhone)).toEqual([
      {
        type: 'message.read',
        data: {
          reader_id: bob.id,
          sender_id: alice.id,
          up_to_id: ids[3],
          read_at: await readAtOf(ids[3] ?? 0),
          updated: 2,
        },
      },
    ]);
  });
});

describe('friend events', () => {
  it('friend.added reaches only the added user, naming the adder', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const stranger = await registerUser();
    const aliceTablet = await connectWith(alice.token);
    const bobPhone = await connectWith(bob.token);
    const bobLaptop = await connectWith(bob.token);
    const strangerPhone = await connectWith(stranger.token);

    const response = await invoke(addFriend, {
      token: alice.token,
      body: { friend_username: bob.username },
    });
    expect(response.status).toBe(201);
    const since = response.body.data.friend.since;
    expect(since).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));

    const expected = [
      { type: 'friend.added', data: { friend: { ...(await publicUser(alice)), since } } },
    ];
    expect(gateway.eventsTo(bobPhone)).toEqual(expected);
    expect(gateway.eventsTo(bobLaptop)).toEqual(expected);
    expect(gateway.eventsTo(aliceTablet)).toEqual([]);
    expect(gateway.eventsTo(strangerPhone)).toEqual([]);
    expect(gateway.posted).toHaveLength(2);

    // A refused add (already friends) pushes nothing.
    gateway.reset();
    const again = await invoke(addFriend, {
      token: bob.token,
      body: { friend_username: alice.username },
    });
    expect(again.status).toBe(409);
    expect(gateway.posted).toEqual([]);
  });

  it('friend.removed reaches only the removed user, naming the remover', async () => {
    const [alice, bob] = await registerFriends();
    const aliceTablet = await connectWith(alice.token);
    const bobPhone = await connectWith(bob.token);
    const bobLaptop = await connectWith(bob.token);

    const response = await invoke(removeFriend, {
      token: alice.token,
      body: { friend_id: bob.id },
    });
    expect(response.status).toBe(200);
    const expected = [{ type: 'friend.removed', data: { friend_id: alice.id } }];
    expect(gateway.eventsTo(bobPhone)).toEqual(expected);
    expect(gateway.eventsTo(bobLaptop)).toEqual(expected);
    expect(gateway.eventsTo(aliceTablet)).toEqual([]);
    expect(gateway.posted).toHaveLength(2);

    // Removing again is FRIEND_NOT_FOUND, and pushes nothing.
    gateway.reset();
    const again = await invoke(removeFriend, { token: alice.token, body: { friend_id: bob.id } });
    expect(again.status).toBe(404);
    expect(gateway.posted).toEqual([]);
  });
});

describe('connections that fail', () => {
  it('a connection the gateway reports gone is forgotten; the send still succeeds', async () => {
    const [alice, bob] = await registerFriends();
    const bobOld = await connectWith(bob.token);
    const bobNew = await connectWith(bob.token);
    const aliceTablet = await connectWith(alice.token);
    gateway.gone.add(bobOld);
    await ageConnection(bobOld);

    const response = await sendMessage(alice, bob, 'are you there?');
    expect(response.status).toBe(201);
    const expected = [{ type: 'message.new', data: { message: response.body.data.message } }];
    expect(gateway.eventsTo(bobNew)).toEqual(expected);
    expect(gateway.eventsTo(aliceTablet)).toEqual(expected);
    expect(gateway.eventsTo(bobOld)).toEqual([]);
    expect(await connectionRow(bobOld)).toBeUndefined();
    expect(await storedConnections(bob.id)).toEqual([bobNew]);

    // The forgotten connection is not tried again.
    gateway.reset();
    expect((await sendMessage(alice, bob, 'second')).status).toBe(201);
    expect(sorted(gateway.posted.map((post) => post.connectionId))).toEqual(
      sorted([bobNew, aliceTablet]),
    );
  });

  it('a connection still in its $connect is kept, though the gateway calls it gone', async () => {
    const [alice, bob] = await registerFriends();
    // Stored a moment ago, not yet open at the gateway: what a push racing $connect meets.
    const bobConnecting = await connectWith(bob.token);
    gateway.gone.add(bobConnecting);
    expect((await sendMessage(alice, bob, 'racing the connect')).status).toBe(201);
    expect(await storedConnections(bob.id)).toEqual([bobConnecting]);

    // Once open, it gets the next event.
    gateway.gone.delete(bobConnecting);
    const next = await sendMessage(alice, bob, 'now you are here');
    expect(gateway.eventsTo(bobConnecting)).toEqual([
      { type: 'message.new', data: { message: next.body.data.message } },
    ]);
  });

  it('a failing gateway never fails the send, and the other connections still get the event', async () => {
    const [alice, bob] = await registerFriends();
    const bobBroken = await connectWith(bob.token);
    const bobPhone = await connectWith(bob.token);
    gateway.failing.add(bobBroken);

    const response = await sendMessage(alice, bob, 'despite it all');
    expect(response.status).toBe(201);
    expect(gateway.eventsTo(bobPhone)).toEqual([
      { type: 'message.new', data: { message: response.body.data.message } },
    ]);
    // A failure is not "gone": the connection is kept.
    expect(await storedConnections(bob.id)).toEqual(sorted([bobBroken, bobPhone]));
    const db = await getDb();
    const stored = await db
      .selectFrom('messages')
      .select('content')
      .where('id', '=', response.body.data.message.id)
      .executeTakeFirst();
    expect(stored).toEqual({ content: 'despite it all' });
  });

  it('every connection failing still answers 201', async () => {
    const [alice, bob] = await registerFriends();
    const bobPhone = await connectWith(bob.token);
    const alicePhone = await connectWith(alice.token);
    gateway.failing.add(bobPhone);
    gateway.failing.add(alicePhone);
    const response = await sendMessage(alice, bob, 'into the void');
    expect(response.status).toBe(201);
    expect(gateway.posted).toEqual([]);
  });

  describe('with PUSH_TIMEOUT_MS=100', () => {
    const PUSH_TIMEOUT_MS = 100;
    /** Generous: far below the default 1,500 ms, far above the bound plus a request. */
    const UPPER_BOUND_MS = 1_000;
    let container: {
      send: LambdaHandler;
      logout: LambdaHandler;
      useGateway: (gateway: ConnectionGateway | undefined) => void;
      closeDb: () => Promise<void>;
    };
    const slowGateway = new RecordingGateway();

    beforeAll(() => {
      // A container of its own (as another Lambda instance would be), with a small deadline.
      const saved = { ...process.env };
      process.env.PUSH_TIMEOUT_MS = String(PUSH_TIMEOUT_MS);
      try {
        jest.isolateModules(() => {
          /* eslint-disable @typescript-eslint/no-require-imports -- loaded under the env above */
          container = {
            send: require('../../functions/message/send').handler,
            logout: require('../../functions/auth/logout').handler,
            useGateway: require('../../lib/realtime/gateway').useConnectionGateway,
            closeDb: require('../../lib/db/connection').closeDb,
          };
          /* eslint-enable @typescript-eslint/no-require-imports */
        });
      } finally {
        process.env = saved;
      }
      container.useGateway(slowGateway);
    });
    beforeEach(() => slowGateway.reset());
    afterAll(async () => {
      container.useGateway(undefined);
      await container.closeDb();
    });

    async function timed<T>(action: () => Promise<T>): Promise<{ result: T; ms: number }> {
      const started = performance.now();
      const result = await action();
      return { result, ms: performance.now() - started };
    }

    it('a hanging connection holds the send up only until the deadline', async () => {
      const [alice, bob] = await registerFriends();
      const bobHanging = await connectWith(bob.token);
      const bobPhone = await connectWith(bob.token);
      const send = (content: string) =>
        invoke(container.send, { token: alice.token, body: { receiver_id: bob.id, content } });
      // Warm the container (connection, migration check) so only the push is timed.
      expect((await send('warm-up')).status).toBe(201);
      slowGateway.reset();

      slowGateway.hanging.add(bobHanging);
      const { result: response, ms } = await timed(() => send('are you stuck?'));
      expect(response.status).toBe(201);
      // It did wait for the hanging post (so the deadline, not luck, ended it)…
      expect(ms).toBeGreaterThanOrEqual(PUSH_TIMEOUT_MS - 5);
      // …and no longer than the deadline plus ordinary work.
      expect(ms).toBeLessThan(UPPER_BOUND_MS);
      expect(slowGateway.eventsTo(bobPhone)).toEqual([
        { type: 'message.new', data: { message: response.body.data.message } },
      ]);
      expect(slowGateway.eventsTo(bobHanging)).toEqual([]);
      // A timeout is not "gone": the connection is kept.
      expect(await storedConnections(bob.id)).toEqual(sorted([bobHanging, bobPhone]));
    });

    it('a hanging close holds logout up only until the deadline; the rows go anyway', async () => {
      const user = await registerUser();
      const socket = await connectWith(user.token);
      slowGateway.hanging.add(socket);
      const { result: response, ms } = await timed(() =>
        invoke(container.logout, { token: user.token, method: 'POST', body: {} }),
      );
      expect(response.status).toBe(200);
      expect(ms).toBeLessThan(UPPER_BOUND_MS);
      expect(await storedConnections(user.id)).toEqual([]);
    });
  });
});

describe('revocation closes sockets', () => {
  it('logout closes exactly that login’s connections', async () => {
    const user = await registerUser();
    const other = await loginAgain(user);
    const first = [await connectWith(user.token), await connectWith(user.token)];
    const second = await connectWith(other.token);
    const bystander = await registerUser();
    const bystanderPhone = await connectWith(bystander.token);

    const response = await invoke(logout, { token: user.token, method: 'POST', body: {} });
    expect(response.status).toBe(200);
    expect(sorted(gateway.closed)).toEqual(sorted(first));
    expect(await storedConnections(user.id)).toEqual([second]);
    expect(await storedConnections(bystander.id)).toEqual([bystanderPhone]);

    // The logged-out token cannot connect again, and nothing is stored for it.
    const refused = connectionId();
    const retry = await invokeWs(connect, '$connect', {
      connectionId: refused,
      query: { token: user.token },
    });
    expect(retry.status).toBe(401);
    expect(retry.frame).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await connectionRow(refused)).toBeUndefined();
    // The other login still can.
    await connectWith(other.token);
  });

  it('a password change closes every connection of every earlier login', async () => {
    const user = await registerUser();
    const other = await loginAgain(user);
    const sockets = [
      await connectWith(user.token),
      await connectWith(other.token),
      await connectWith(other.token),
    ];
    const friend = await registerUser();
    const friendPhone = await connectWith(friend.token);

    const response = await invoke(changePassword, {
      token: user.token,
      body: { old_password: user.password, new_password: 'a brand new passphrase' },
    });
    expect(response.status).toBe(200);
    expect(sorted(gateway.closed)).toEqual(sorted(sockets));
    expect(await storedConnections(user.id)).toEqual([]);
    expect(await storedConnections(friend.id)).toEqual([friendPhone]);

    for (const token of [user.token, other.token]) {
      const id = connectionId();
      const refused = await invokeWs(connect, '$connect', { connectionId: id, query: { token } });
      expect(refused.status).toBe(401);
      expect(await connectionRow(id)).toBeUndefined();
    }
    // The token the change returned connects.
    const fresh = await connectWith(response.body.data.access_token);
    expect(await storedConnections(user.id)).toEqual([fresh]);
  });

  it('a reused refresh token closes that login’s connections, and only those', async () => {
    const user = await registerUser();
    const other = await loginAgain(user);
    const rotated = await invoke(refresh, { body: { refresh_token: user.refreshToken } });
    expect(rotated.status).toBe(200);
    const stolenLogin = [
      await connectWith(user.token),
      await connectWith(rotated.body.data.access_token),
    ];
    const otherSocket = await connectWith(other.token);

    // Presented again past the grace window for retries: theft.
    const db = await getDb();
    await db
      .updateTable('refresh_tokens')
      .set({ used_at: toDbTimestamp(new Date(Date.now() - 60_000)) })
      .where('token_hash', '=', hashRefreshToken(user.refreshToken))
      .execute();
    const reuse = await invoke(refresh, { body: { refresh_token: user.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(sorted(gateway.closed)).toEqual(sorted(stolenLogin));
    expect(await storedConnections(user.id)).toEqual([otherSocket]);

    for (const token of [user.token, rotated.body.data.access_token as string]) {
      const id = connectionId();
      const refused = await invokeWs(connect, '$connect', { connectionId: id, query: { token } });
      expect(refused.status).toBe(401);
      expect(await connectionRow(id)).toBeUndefined();
    }
  });

  it('pushes stop reaching closed connections', async () => {
    const [alice, bob] = await registerFriends();
    const bobOld = await connectWith(bob.token);
    const bobLogin = await loginAgain(bob);
    const bobNew = await connectWith(bobLogin.token);
    expect((await invoke(logout, { token: bob.token, method: 'POST', body: {} })).status).toBe(200);

    gateway.reset();
    const response = await sendMessage(alice, bob, 'after logout');
    expect(response.status).toBe(201);
    expect(gateway.posted.map((post) => post.connectionId)).toEqual([bobNew]);
    expect(gateway.eventsTo(bobOld)).toEqual([]);
  });
});

describe('at most 10 connections per user', () => {
  it('an 11th connection closes the oldest', async () => {
    const user = await registerUser();
    const opened: string[] = [];
    for (let index = 0; index < 10; index += 1) opened.push(await connectWith(user.token));
    expect(gateway.closed).toEqual([]);
    expect(await storedConnections(user.id)).toEqual(sorted(opened));

    const eleventh = await connectWith(user.token);
    expect(gateway.closed).toEqual([opened[0]]);
    expect(await connectionRow(opened[0] ?? '')).toBeUndefined();
    expect(await storedConnections(user.id)).toEqual(sorted([...opened.slice(1), eleventh]));

    // And the next one closes the next oldest.
    const twelfth = await connectWith(user.token);
    expect(gateway.closed).toEqual([opened[0], opened[1]]);
    expect(await storedConnections(user.id)).toEqual(
      sorted([...opened.slice(2), eleventh, twelfth]),
    );
  });

  it('connections opened within one millisecond still close in the order they opened', async () => {
    const user = await registerUser();
    // The clock stands still (only Date is faked; timers and I/O run as usual): every row
    // gets the same millisecond, as fast reconnects on one Lambda container can.
    jest.useFakeTimers({
      now: Date.now(),
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      const opened: string[] = [];
      for (let index = 0; index < 12; index += 1) opened.push(await connectWith(user.token));
      expect(gateway.closed).toEqual([opened[0], opened[1]]);
      expect(await storedConnections(user.id)).toEqual(sorted(opened.slice(2)));
    } finally {
      jest.useRealTimers();
    }
  });

  it('15 concurrent connects leave exactly 10, and close the other 5', async () => {
    const user = await registerUser();
    const bystander = await registerUser();
    const bystanderPhone = await connectWith(bystander.token);
    const ids = Array.from({ length: 15 }, () => connectionId());
    const responses = await Promise.all(
      ids.map((id) =>
        invokeWs(connect, '$connect', { connectionId: id, query: { token: user.token } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(ids.map(() => 200));

    const stored = await storedConnections(user.id);
    expect(stored).toHaveLength(10);
    expect(gateway.closed).toHaveLength(5);
    // Every connection is either kept or closed, never both, never neither.
    expect(sorted([...stored, ...gateway.closed])).toEqual(sorted(ids));
    expect(await storedConnections(bystander.id)).toEqual([bystanderPhone]);
  });

  it('the cap counts only the user’s own connections', async () => {
    const [alice, bob] = await registerFriends();
    for (let index = 0; index < 6; index += 1) await connectWith(alice.token);
    for (let index = 0; index < 6; index += 1) await connectWith(bob.token);
    expect(gateway.closed).toEqual([]);
    expect(await storedConnections(alice.id)).toHaveLength(6);
    expect(await storedConnections(bob.id)).toHaveLength(6);
  });
});
