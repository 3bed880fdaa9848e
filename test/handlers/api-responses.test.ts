import { handler as changePassword } from '../../functions/auth/change-password';
import { handler as login } from '../../functions/auth/login';
import { handler as logout } from '../../functions/auth/logout';
import { handler as profile } from '../../functions/auth/profile';
import { handler as refresh } from '../../functions/auth/refresh';
import { handler as register } from '../../functions/auth/register';
import { handler as friendAdd } from '../../functions/friend/add';
import { handler as friendBlock } from '../../functions/friend/block';
import { handler as friendBlocked } from '../../functions/friend/blocked';
import { handler as friendList } from '../../functions/friend/list';
import { handler as friendRemove } from '../../functions/friend/remove';
import { handler as friendSearch } from '../../functions/friend/search';
import { handler as friendUnblock } from '../../functions/friend/unblock';
import { handler as chatSettings } from '../../functions/message/chat-settings';
import { handler as chats } from '../../functions/message/chats';
import { handler as history } from '../../functions/message/history';
import { handler as last } from '../../functions/message/last';
import { handler as markRead } from '../../functions/message/mark-read';
import { handler as recall } from '../../functions/message/recall';
import { handler as send } from '../../functions/message/send';
import { handler as updates } from '../../functions/message/updates';
import { handler as health } from '../../functions/system/health';
import { useClock } from '../../lib/clock';
import type { LambdaHandler } from '../../lib/http/handler';
import { httpEndpoints } from '../../scripts/api-reference';
import { OpenApiChecker } from '../helpers/api-reference';
import { registerFriends, sendMessage } from '../helpers/chat';
import { invoke, type InvokeOptions, type InvokeResult } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
import { registerUser, uniqueName, type TestUser } from '../helpers/users';

/**
 * Real answers of the handlers, successes and errors, validate against the response schemas
 * the OpenAPI document gives for their status (and carry the headers it promises, such as
 * Retry-After). Every documented success status is produced at least once.
 */

const checker = new OpenApiChecker();

afterEach(() => useClock(undefined));

/** Invokes a handler as the route METHOD path and checks its answer against the document. */
async function call(
  route: `${'GET' | 'POST'} /${string}`,
  handler: LambdaHandler,
  options: InvokeOptions = {},
): Promise<InvokeResult> {
  const [method, path] = route.split(' ') as ['GET' | 'POST', string];
  const result = await invoke(handler, { ...options, method, path });
  expect(checker.problems(method, path, result)).toEqual([]);
  return result;
}

let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  [alice, bob] = await registerFriends();
  carol = await registerUser();
});

describe('accounts', () => {
  it('register: 201, and 400, 409 refusals', async () => {
    const name = uniqueName();
    const created = await call('POST /api/auth/register', register, {
      body: { username: name, email: `${name}@example.com`, password: 'a fine password' },
    });
    expect(created.status).toBe(201);
    const taken = await call('POST /api/auth/register', register, {
      body: { username: name, email: `${uniqueName()}@example.com`, password: 'a fine password' },
    });
    expect(taken.body.code).toBe('USERNAME_TAKEN');
    const invalid = await call('POST /api/auth/register', register, {
      body: { username: 'x', email: 'not an email', password: 'short' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details.length).toBeGreaterThan(1);
    const notJson = await call('POST /api/auth/register', register, { body: '{"username":' });
    expect(notJson.body.code).toBe('INVALID_JSON');
    const wrongType = await call('POST /api/auth/register', register, {
      body: 'username=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrongType.status).toBe(415);
    const huge = await call('POST /api/auth/register', register, {
      body: { username: 'x'.repeat(70 * 1024) },
    });
    expect(huge.status).toBe(413);
  });

  it('register over its rate limit: 429 with Retry-After', async () => {
    const container = loadContainer(
      { RATE_LIMITS: 'on', RATE_LIMIT_REGISTER_PER_IP: '1/3600' },
      { register: '../../functions/auth/register' },
    );
    try {
      const sourceIp = '198.51.100.7';
      const attempt = () => {
        const name = uniqueName();
        return call('POST /api/auth/register', container.handlers.register, {
          sourceIp,
          body: { username: name, email: `${name}@example.com`, password: 'a fine password' },
        });
      };
      expect((await attempt()).status).toBe(201);
      const limited = await attempt();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await container.close();
    }
  });

  it('login, refresh, profile, change_password, logout: successes and refusals', async () => {
    const user = await registerUser();
    const loggedIn = await call('POST /api/auth/login', login, {
      body: { username: user.username, password: user.password },
    });
    expect(loggedIn.status).toBe(200);
    const wrong = await call('POST /api/auth/login', login, {
      body: { username: user.username, password: 'not the password' },
    });
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    const refreshed = await call('POST /api/auth/refresh', refresh, {
      body: { refresh_token: user.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    // Presented again within the grace window: a retry, answered with a fresh pair.
    const retried = await call('POST /api/auth/refresh', refresh, {
      body: { refresh_token: user.refreshToken },
    });
    expect(retried.status).toBe(200);
    const unknown = await call('POST /api/auth/refresh', refresh, {
      body: { refresh_token: 'x'.repeat(43) },
    });
    expect(unknown.status).toBe(401);

    const token = loggedIn.body.data.access_token as string;
    expect((await call('GET /api/auth/profile', profile, { token })).status).toBe(200);
    const anonymous = await call('GET /api/auth/profile', profile);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');
    const english = await call('GET /api/auth/profile', profile, {
      token: 'not.a.token',
      headers: { 'accept-language': 'en' },
    });
    expect(english.body.error).toMatch(/token/);

    const wrongOld = await call('POST /api/auth/change_password', changePassword, {
      token,
      body: { old_password: 'not the password', new_password: 'another password' },
    });
    expect(wrongOld.body.code).toBe('WRONG_PASSWORD');
    const changed = await call('POST /api/auth/change_password', changePassword, {
      token,
      body: { old_password: user.password, new_password: 'another password' },
    });
    expect(changed.status).toBe(200);

    const out = await call('POST /api/auth/logout', logout, {
      token: changed.body.data.access_token,
    });
    expect(out.status).toBe(200);
  });

  it('health: 200', async () => {
    expect((await call('GET /api/health', health)).status).toBe(200);
  });
});

describe('friends', () => {
  it('add, list, search, remove: successes and refusals', async () => {
    const [dave, erin] = [await registerUser(), await registerUser()];
    const added = await call('POST /api/friend/add', friendAdd, {
      token: dave.token,
      body: { friend_username: erin.username },
    });
    expect(added.status).toBe(201);
    const again = await call('POST /api/friend/add', friendAdd, {
      token: erin.token,
      body: { friend_username: dave.username.toUpperCase() },
    });
    expect(again.body.code).toBe('ALREADY_FRIENDS');
    const self = await call('POST /api/friend/add', friendAdd, {
      token: dave.token,
      body: { friend_username: dave.username },
    });
    expect(self.body.code).toBe('CANNOT_ADD_SELF');
    const nobody = await call('POST /api/friend/add', friendAdd, {
      token: dave.token,
      body: { friend_username: uniqueName('nobody') },
    });
    expect(nobody.body.code).toBe('USER_NOT_FOUND');

    const list = await call('GET /api/friend/list', friendList, { token: dave.token });
    expect(list.body.data.count).toBe(1);
    const found = await call('GET /api/friend/search', friendSearch, {
      token: dave.token,
      query: { keyword: erin.username.slice(0, 8), limit: '5' },
    });
    expect(found.body.data.users.length).toBeGreaterThan(0);
    const noKeyword = await call('GET /api/friend/search', friendSearch, {
      token: dave.token,
      query: {},
    });
    expect(noKeyword.body.code).toBe('VALIDATION_ERROR');

    const removed = await call('POST /api/friend/remove', friendRemove, {
      token: dave.token,
      body: { friend_id: erin.id },
    });
    expect(removed.status).toBe(200);
    const gone = await call('POST /api/friend/remove', friendRemove, {
      token: dave.token,
      body: { friend_id: erin.id },
    });
    expect(gone.body.code).toBe('FRIEND_NOT_FOUND');
  });

  it('block, blocked, unblock: successes and refusals', async () => {
    const [frank, grace] = await registerFriends();
    const blocked = await call('POST /api/friend/block', friendBlock, {
      token: frank.token,
      body: { user_id: grace.id },
    });
    expect(blocked.body.data).toEqual({ user_id: grace.id, blocked: true });
    const refused = await call('POST /api/message/send', send, {
      token: grace.token,
      body: { receiver_id: frank.id, content: 'hi' },
    });
    expect(refused.body.code).toBe('BLOCKED');
    const list = await call('GET /api/friend/blocked', friendBlocked, { token: frank.token });
    expect(list.body.data.users).toHaveLength(1);
    const self = await call('POST /api/friend/block', friendBlock, {
      token: frank.token,
      body: { user_id: frank.id },
    });
    expect(self.body.code).toBe('CANNOT_BLOCK_SELF');
    const unblocked = await call('POST /api/friend/unblock', friendUnblock, {
      token: frank.token,
      body: { user_id: grace.id },
    });
    expect(unblocked.body.data).toEqual({ user_id: grace.id, blocked: false });
    const unknown = await call('POST /api/friend/unblock', friendUnblock, {
      token: frank.token,
      body: { user_id: 987654321 },
    });
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
    const emptyList = await call('GET /api/friend/list', friendList, { token: frank.token });
    expect(emptyList.body.data.friends[0].blocked).toBe(false);
  });
});

describe('messages', () => {
  it('send (201, a repeat 200), history, last, chats, updates, mark_read', async () => {
    const sent = await call('POST /api/message/send', send, {
      token: alice.token,
      body: { receiver_id: bob.id, content: 'Hello 👋', client_msg_id: 'api-1' },
    });
    expect(sent.status).toBe(201);
    const repeat = await call('POST /api/message/send', send, {
      token: alice.token,
      body: { receiver_id: String(bob.id), content: 'Hello 👋', client_msg_id: 'api-1' },
    });
    expect(repeat.status).toBe(200);
    const image = await call('POST /api/message/send', send, {
      token: bob.token,
      body: { receiver_id: alice.id, content: 'https://example.com/a.png', message_type: 'image' },
    });
    expect(image.status).toBe(201);
    const stranger = await call('POST /api/message/send', send, {
      token: alice.token,
      body: { receiver_id: carol.id, content: 'hi' },
    });
    expect(stranger.body.code).toBe('NOT_FRIENDS');
    const self = await call('POST /api/message/send', send, {
      token: alice.token,
      body: { receiver_id: alice.id, content: 'hi' },
    });
    expect(self.body.code).toBe('CANNOT_MESSAGE_SELF');
    const blank = await call('POST /api/message/send', send, {
      token: alice.token,
      body: { receiver_id: bob.id, content: '   ' },
    });
    expect(blank.body.code).toBe('VALIDATION_ERROR');

    const page = await call('GET /api/message/history', history, {
      token: alice.token,
      query: { friend_id: String(bob.id) },
    });
    expect(page.body.data.messages.length).toBe(2);
    const cursor = await call('GET /api/message/history', history, {
      token: alice.token,
      query: { friend_id: String(bob.id), before_id: String(image.body.data.message.id) },
    });
    expect(cursor.body.data.page).toBeNull();
    const unknown = await call('GET /api/message/history', history, {
      token: alice.token,
      query: { friend_id: '987654321' },
    });
    expect(unknown.body.code).toBe('USER_NOT_FOUND');

    const newest = await call('GET /api/message/last', last, {
      token: alice.token,
      query: { friend_id: String(bob.id) },
    });
    expect(newest.body.data.message.message_type).toBe('image');
    const none = await call('GET /api/message/last', last, {
      token: alice.token,
      query: { friend_id: String(carol.id) },
    });
    expect(none.body.data.message).toBeNull();

    const list = await call('GET /api/message/chats', chats, { token: alice.token });
    expect(list.body.data.total_unread).toBe(1);
    const caughtUp = await call('GET /api/message/updates', updates, {
      token: bob.token,
      query: { after_id: '0', limit: '1' },
    });
    expect(caughtUp.body.data.has_more).toBe(true);
    const badCursor = await call('GET /api/message/updates', updates, {
      token: bob.token,
      query: { after_id: '-1' },
    });
    expect(badCursor.body.code).toBe('VALIDATION_ERROR');

    const read = await call('POST /api/message/mark_read', markRead, {
      token: alice.token,
      body: { sender_id: bob.id },
    });
    expect(read.body.data.updated).toBe(1);
  });

  it('recall: 200 for the sender in time, 403 and 404 otherwise', async () => {
    const message = (await sendMessage(alice, bob, 'oops')).body.data.message;
    const notSender = await call('POST /api/message/recall', recall, {
      token: bob.token,
      body: { message_id: message.id },
    });
    expect(notSender.body.code).toBe('NOT_SENDER');
    const recalled = await call('POST /api/message/recall', recall, {
      token: alice.token,
      body: { message_id: message.id },
    });
    expect(recalled.body.data.message.content).toBeNull();
    const missing = await call('POST /api/message/recall', recall, {
      token: alice.token,
      body: { message_id: 987654321 },
    });
    expect(missing.body.code).toBe('MESSAGE_NOT_FOUND');

    const later = (await sendMessage(alice, bob, 'too late')).body.data.message;
    useClock(() => new Date(Date.parse(later.created_at) + 3_600_000));
    const tooLate = await call('POST /api/message/recall', recall, {
      token: alice.token,
      body: { message_id: later.id },
    });
    expect(tooLate.body.code).toBe('RECALL_WINDOW_PASSED');
    useClock(undefined);
    // The recalled message reads as recalled everywhere.
    const page = await call('GET /api/message/history', history, {
      token: bob.token,
      query: { friend_id: String(alice.id) },
    });
    expect(
      page.body.data.messages.some((entry: { content: unknown }) => entry.content === null),
    ).toBe(true);
  });

  it('chat_settings: 200, 404 for no chat, 400 for nothing to set', async () => {
    const set = await call('POST /api/message/chat_settings', chatSettings, {
      token: alice.token,
      body: { friend_id: bob.id, pinned: true, muted: true },
    });
    expect(set.body.data).toMatchObject({ friend_id: bob.id, pinned: true, muted: true });
    const listed = await call('GET /api/message/chats', chats, { token: alice.token });
    expect(listed.body.data.chats[0].pinned).toBe(true);
    const noChat = await call('POST /api/message/chat_settings', chatSettings, {
      token: alice.token,
      body: { friend_id: carol.id, hidden: true },
    });
    expect(noChat.body.code).toBe('CHAT_NOT_FOUND');
    const nothing = await call('POST /api/message/chat_settings', chatSettings, {
      token: alice.token,
      body: { friend_id: bob.id },
    });
    expect(nothing.body.code).toBe('VALIDATION_ERROR');
  });
});

describe('coverage', () => {
  it('produced every documented success status of every endpoint', () => {
    const expected = httpEndpoints.flatMap(({ api }) =>
      'success' in api
        ? [api.success].flat().map((success) => `${api.method} ${api.path} ${success.status}`)
        : [],
    );
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.filter((key) => !checker.seen.has(key))).toEqual([]);
  });
});
