import type { LambdaHandler } from '../../lib/http/handler';
import { invoke } from '../helpers/invoke';
import { loadContainer, type IsolatedContainer } from '../helpers/isolated';
import { TcpProxy } from '../helpers/tcp-proxy';

/**
 * The database becomes unreachable, or hangs, behind a TCP proxy (the machine's MariaDB
 * itself is never stopped): every endpoint answers 503 within a few seconds, and the next
 * request after the database is back succeeds, without a restart. Nothing acknowledged is lost.
 */
const proxy = new TcpProxy(process.env.DB_HOST ?? '127.0.0.1', Number(process.env.DB_PORT ?? 3306));

type Handlers = Record<
  | 'health'
  | 'register'
  | 'login'
  | 'profile'
  | 'add'
  | 'list'
  | 'search'
  | 'remove'
  | 'send'
  | 'history'
  | 'chats'
  | 'last'
  | 'markRead'
  | 'changePassword',
  LambdaHandler
>;
let handlers: Handlers;
let container: IsolatedContainer<keyof Handlers>;

beforeAll(async () => {
  await proxy.start();
  // A fresh "container": its own configuration and connection pool, through the proxy.
  container = loadContainer(
    { DB_PORT: String(proxy.port), DB_CONNECT_TIMEOUT_MS: '1000', DB_QUERY_TIMEOUT_MS: '1500' },
    {
      health: '../../functions/system/health',
      register: '../../functions/auth/register',
      login: '../../functions/auth/login',
      profile: '../../functions/auth/profile',
      changePassword: '../../functions/auth/change-password',
      add: '../../functions/friend/add',
      list: '../../functions/friend/list',
      search: '../../functions/friend/search',
      remove: '../../functions/friend/remove',
      send: '../../functions/message/send',
      history: '../../functions/message/history',
      chats: '../../functions/message/chats',
      last: '../../functions/message/last',
      markRead: '../../functions/message/mark-read',
    },
  );
  handlers = container.handlers;
});

afterAll(async () => {
  await container.close();
  await proxy.stop();
});

async function signUp(name: string) {
  const response = await invoke(handlers.register, {
    body: { username: name, email: `${name}@example.com`, password: 'a fine password' },
  });
  expect(response.status).toBe(201);
  return {
    id: response.body.data.user.id as number,
    token: response.body.data.access_token as string,
    name,
  };
}

/** Every endpoint, called as a signed-in user would. */
function everyEndpoint(
  user: { id: number; token: string; name: string },
  peer: { id: number; name: string },
) {
  const token = user.token;
  return [
    invoke(handlers.health),
    invoke(handlers.register, {
      body: {
        username: `${user.name}x`,
        email: `${user.name}x@example.com`,
        password: 'a fine password',
      },
    }),
    invoke(handlers.login, { body: { username: user.name, password: 'a fine password' } }),
    invoke(handlers.profile, { token }),
    invoke(handlers.changePassword, {
      token,
      body: { old_password: 'a fine password', new_password: 'another fine password' },
    }),
    invoke(handlers.add, { token, body: { friend_username: peer.name } }),
    invoke(handlers.list, { token }),
    invoke(handlers.search, { token, query: { keyword: 'a' } }),
    invoke(handlers.remove, { token, body: { friend_id: peer.id } }),
    invoke(handlers.send, { token, body: { receiver_id: peer.id, content: 'hi' } }),
    invoke(handlers.history, { token, query: { friend_id: String(peer.id) } }),
    invoke(handlers.chats, { token }),
    invoke(handlers.last, { token, query: { friend_id: String(peer.id) } }),
    invoke(handlers.markRead, { token, body: { sender_id: peer.id } }),
  ];
}

async function expectAllUnavailable(
  user: { id: number; token: string; name: string },
  peer: { id: number; name: string },
) {
  const started = Date.now();
  const responses = await Promise.all(everyEndpoint(user, peer));
  const elapsed = Date.now() - started;
  for (const response of responses) {
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      error: '服务暂时不可用，请稍后再试',
      code: 'SERVICE_UNAVAILABLE',
    });
  }
  return elapsed;
}

it('answers 503 on every endpoint while the database is unreachable, and recovers', async () => {
  const alice = await signUp('fault_alice');
  const bob = await signUp('fault_bob');
  expect(
    (await invoke(handlers.add, { token: alice.token, body: { friend_username: bob.name } }))
      .status,
  ).toBe(201);

  await proxy.cut();
  const elapsed = await expectAllUnavailable(alice, bob);
  expect(elapsed).toBeLessThan(5000);

  await proxy.restore();
  expect((await invoke(handlers.health)).status).toBe(200);
  const sent = await invoke(handlers.send, {
    token: alice.token,
    body: { receiver_id: bob.id, content: 'back again' },
  });
  expect(sent.status).toBe(201);
  expect((await invoke(handlers.chats, { token: bob.token })).body.data.total_unread).toBe(1);
});

it('answers 503 within the query timeout while the database hangs, and recovers', async () => {
  const carol = await signUp('fault_carol');
  const dave = await signUp('fault_dave');
  await invoke(handlers.add, { token: carol.token, body: { friend_username: dave.name } });

  proxy.blackhole();
  const elapsed = await expectAllUnavailable(carol, dave);
  expect(elapsed).toBeLessThan(5000);

  await proxy.restore();
  expect((await invoke(handlers.health)).status).toBe(200);
  expect((await invoke(handlers.profile, { token: carol.token })).status).toBe(200);
});

it('loses no acknowledged message when the connection drops mid-stream', async () => {
  const erin = await signUp('fault_erin');
  const frank = await signUp('fault_frank');
  await invoke(handlers.add, { token: erin.token, body: { friend_username: frank.name } });

  const acknowledged: number[] = [];
  const statuses: number[] = [];
  const sends = Array.from({ length: 40 }, async (_, index) => {
    await new Promise((resolve) => setTimeout(resolve, index * 5));
    const response = await invoke(handlers.send, {
      token: erin.token,
      body: { receiver_id: frank.id, content: `m${index}`, client_msg_id: `fault-${index}` },
    });
    statuses.push(response.status);
    if (response.status === 201) acknowledged.push(response.body.data.message.id);
  });
  setTimeout(() => void proxy.cut(), 60);
  await Promise.all(sends);
  expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
  expect(statuses).toContain(503);

  await proxy.restore();
  const history = await invoke(handlers.history, {
    token: frank.token,
    query: { friend_id: String(erin.id), per_page: '100' },
  });
  expect(history.status).toBe(200);
  const stored = new Set(history.body.data.messages.map((message: { id: number }) => message.id));
  for (const id of acknowledged) expect(stored.has(id)).toBe(true);
  // The chat list agrees with the messages that exist.
  expect(history.body.data.total).toBe(history.body.data.messages.length);
});
