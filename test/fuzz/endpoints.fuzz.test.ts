import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { errorStatus } from '../../lib/errors';
import type { LambdaHandler } from '../../lib/http/handler';
import { befriend, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
import { registerUser, type TestUser } from '../helpers/users';

/**
 * Property: whatever arrives — random JSON, wrong types, long and odd Unicode, odd query
 * strings and headers, random or forged tokens — every endpoint answers below 500 in the
 * contract's shape, and never leaks a hash, a stack, SQL, the signing secret or another
 * user's email. FUZZ_RUNS cases per endpoint (1,000 in CI; `npm run fuzz` runs more).
 */
const runs = Number(process.env.FUZZ_RUNS ?? 1000);

// The handlers under test run with rate limiting on (limits too high to trip), so its
// code is fuzzed too; fixtures are made through the test's own (unlimited) handlers.
const container = loadContainer(
  {
    RATE_LIMITS: 'on',
    // The most a sliding window holds (5000), per second: more than any run sends.
    RATE_LIMIT_LOGIN_PER_ACCOUNT_IP: '5000/1',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '5000/1',
    RATE_LIMIT_LOGIN_PER_IP: '5000/1',
    RATE_LIMIT_REGISTER_PER_IP: '5000/1',
    RATE_LIMIT_SEND_PER_USER: '5000/1',
    RATE_LIMIT_FRIEND_ADD_PER_USER: '5000/1',
  },
  {
    health: '../../functions/system/health',
    register: '../../functions/auth/register',
    login: '../../functions/auth/login',
    refresh: '../../functions/auth/refresh',
    profile: '../../functions/auth/profile',
    changePassword: '../../functions/auth/change-password',
    logout: '../../functions/auth/logout',
    friendAdd: '../../functions/friend/add',
    friendList: '../../functions/friend/list',
    friendRemove: '../../functions/friend/remove',
    friendSearch: '../../functions/friend/search',
    messageSend: '../../functions/message/send',
    messageHistory: '../../functions/message/history',
    messageChats: '../../functions/message/chats',
    messageLast: '../../functions/message/last',
    markRead: '../../functions/message/mark-read',
    messageRecall: '../../functions/message/recall',
    chatSettings: '../../functions/message/chat-settings',
    friendBlock: '../../functions/friend/block',
    friendUnblock: '../../functions/friend/unblock',
    friendBlocked: '../../functions/friend/blocked',
  },
);
const {
  health,
  register,
  login,
  refresh,
  profile,
  changePassword,
  logout,
  friendAdd,
  friendList,
  friendRemove,
  friendSearch,
  messageSend,
  messageHistory,
  messageChats,
  messageLast,
  markRead,
  messageRecall,
  chatSettings,
  friendBlock,
  friendUnblock,
  friendBlocked,
} = container.handlers;
afterAll(() => container.close());
jest.setTimeout(Math.max(120_000, runs * 200));

const secret = process.env.JWT_SECRET_KEY ?? '';
const codes = new Set(Object.keys(errorStatus));

let me: TestUser;
let friend: TestUser;
let victim: TestUser;
/** A message to me (not mine to recall) and one from me (recallable while the window lasts). */
let messageIds: number[] = [];

const REVOKER_PASSWORD = 'revoker password';
/** A fresh login of a user that exists only to be logged out (or re-passworded). */
async function freshLogin(): Promise<{ token: string; refreshToken: string }> {
  const user = await registerUser({ password: REVOKER_PASSWORD });
  return { token: user.token, refreshToken: user.refreshToken };
}

beforeAll(async () => {
  me = await registerUser({ username: 'fuzz_me' });
  friend = await registerUser({ username: 'fuzz_friend' });
  victim = await registerUser({ username: 'fuzz_victim', email: 'victim.secret@example.com' });
  await befriend(me, friend);
  const received = await sendMessage(friend, me, 'hello');
  const sent = await sendMessage(me, friend, 'mine');
  messageIds = [received.body.data.message.id, sent.body.data.message.id];
  await sendMessage(victim, victim.id + 1_000_000, 'nothing').catch(() => undefined);
});

/** Strings that tend to break things. */
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '%',
  '_',
  '\\',
  '!',
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '😀',
  '\ud800',
  '\u202e',
  'Ω≈ç√',
  '张三',
  'a'.repeat(300),
  '1e3',
  '0x10',
  '-1',
  '0',
  '9007199254740993',
  '__proto__',
  'constructor',
  'null',
  'true',
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  nasty,
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);
/** Friend list cursors: anything, or well-formed ones around odd keys and ids. */
const cursorValue = fc.oneof(
  anyValue,
  fc
    .tuple(fc.string({ unit: 'binary', maxLength: 40 }), fc.oneof(fc.integer(), fc.double()))
    .map((position) => Buffer.from(JSON.stringify(position)).toString('base64url')),
);
/** Values for an ID field: mostly plausible, sometimes absurd. */
const idValue = (ids: () => number[]) =>
  fc.oneof(
    fc.constant(null).map(() => fc.sample(fc.constantFrom(...ids()), 1)[0]),
    fc.integer({ min: -5, max: 2_000_000 }),
    fc.nat().map(String),
    anyValue,
  );

const tokenValue: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant('VALID'),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    'Bearer',
    'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
    jwt.sign({ typ: 'access', ver: 0, sid: '1' }, 'wrong-secret-wrong-secret-wrong-secret', {
      subject: '1',
      expiresIn: 60,
    }),
    jwt.sign({ typ: 'access', ver: 0, sid: '1' }, secret, { subject: '1' }),
    jwt.sign({ typ: 'access', ver: 0, sid: '99999' }, secret, { subject: '99999', expiresIn: 60 }),
  ),
);

const headerValues = fc.record(
  {
    'accept-language': fc.oneof(
      fc.constantFrom('en', 'zh-CN', 'en;q=0', '*', 'xx-YY;q=abc'),
      fc.string({ maxLength: 40 }),
    ),
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'Application/JSON; charset=utf-8',
        'text/plain',
        'application/json;',
        '',
      ),
      fc.string({ maxLength: 40 }),
    ),
    'x-forwarded-for': fc.string({ maxLength: 40 }),
  },
  { requiredKeys: [] },
);

type FieldArbitraries = Record<string, fc.Arbitrary<unknown>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface EndpointSpec {
  name: string;
  handler: LambdaHandler;
  method: 'GET' | 'POST';
  /** It ends logins: each case gets a fresh one, so later cases still reach its logic. */
  revokes?: boolean;
  body?: FieldArbitraries;
  query?: FieldArbitraries;
  /** Tokens may appear in its successful answers. */
  issuesTokens?: boolean;
}

const userIds = () => [me.id, friend.id, victim.id];
/** A chat setting: mostly a boolean, sometimes anything. */
const settingValue = fc.oneof(
  { weight: 4, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: anyValue },
);
const endpoints: EndpointSpec[] = [
  { name: 'health', handler: health, method: 'GET' },
  {
    name: 'register',
    handler: register,
    method: 'POST',
    body: { username: anyValue, email: anyValue, password: anyValue },
    issuesTokens: true,
  },
  {
    name: 'login',
    handler: login,
    method: 'POST',
    body: {
      username: fc.oneof(
        fc.constantFrom('fuzz_me', 'FUZZ_FRIEND', 'victim.secret@example.com'),
        anyValue,
      ),
      password: anyValue,
    },
    issuesTokens: true,
  },
  {
    name: 'refresh',
    handler: refresh,
    method: 'POST',
    // REAL: a live refresh token of a fresh login, so rotation and reuse are exercised.
    body: { refresh_token: fc.oneof(fc.constant('REAL'), anyValue) },
    issuesTokens: true,
  },
  { name: 'profile', handler: profile, method: 'GET' },
  {
    name: 'change_password',
    handler: changePassword,
    method: 'POST',
    body: {
      old_password: fc.oneof(fc.constant(REVOKER_PASSWORD), anyValue),
      new_password: anyValue,
    },
    issuesTokens: true,
    revokes: true,
  },
  { name: 'logout', handler: logout, method: 'POST', revokes: true },
  { name: 'friend/add', handler: friendAdd, method: 'POST', body: { friend_username: anyValue } },
  {
    name: 'friend/list',
    handler: friendList,
    method: 'GET',
    query: { limit: anyValue, cursor: cursorValue },
  },
  {
    name: 'friend/remove',
    handler: friendRemove,
    method: 'POST',
    body: { friend_id: idValue(userIds) },
  },
  {
    name: 'friend/search',
    handler: friendSearch,
    method: 'GET',
    query: { keyword: anyValue, limit: anyValue },
  },
  {
    name: 'message/send',
    handler: messageSend,
    method: 'POST',
    body: {
      receiver_id: idValue(userIds),
      content: anyValue,
      message_type: anyValue,
      client_msg_id: anyValue,
    },
  },
  {
    name: 'message/history',
    handler: messageHistory,
    method: 'GET',
    query: { friend_id: idValue(userIds), page: anyValue, per_page: anyValue, before_id: anyValue },
  },
  { name: 'message/chats', handler: messageChats, method: 'GET', query: { limit: anyValue } },
  {
    name: 'message/last',
    handler: messageLast,
    method: 'GET',
    query: { friend_id: idValue(userIds) },
  },
  {
    name: 'message/mark_read',
    handler: markRead,
    method: 'POST',
    body: { sender_id: idValue(userIds), up_to_id: anyValue },
  },
  {
    name: 'message/recall',
    handler: messageRecall,
    method: 'POST',
    body: { message_id: idValue(() => messageIds) },
  },
  {
    name: 'message/chat_settings',
    handler: chatSettings,
    method: 'POST',
    body: {
      friend_id: idValue(userIds),
      pinned: settingValue,
      muted: settingValue,
      hidden: settingValue,
    },
  },
  // Blocks last: a block left in place would turn the sends and adds above into BLOCKED.
  {
    name: 'friend/block',
    handler: friendBlock,
    method: 'POST',
    body: { user_id: idValue(userIds) },
  },
  {
    name: 'friend/unblock',
    handler: friendUnblock,
    method: 'POST',
    body: { user_id: idValue(userIds) },
  },
  { name: 'friend/blocked', handler: friendBlocked, method: 'GET' },
];

/** A body: a record of the endpoint's fields, random JSON, or raw text. */
function bodyFor(spec: EndpointSpec): fc.Arbitrary<unknown> {
  const fields = spec.body ?? {};
  return fc.oneof(
    { weight: 6, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  );
}

function queryFor(spec: EndpointSpec): fc.Arbitrary<Record<string, string | undefined>> {
  const fields = Object.fromEntries(
    Object.entries(spec.query ?? {}).map(([name, arbitrary]) => [
      name,
      // Query values arrive as strings; non-strings are sent as their JSON text.
      arbitrary.map((value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))),
    ]),
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), {
        maxKeys: 4,
      }),
    },
  );
}

function expectContractAnswer(
  spec: EndpointSpec,
  status: number,
  body: unknown,
  rawBody: string,
): void {
  expect(status).toBeLessThan(500);
  expect(typeof body).toBe('object');
  const answer = body as Record<string, unknown>;
  if (status >= 400) {
    expect(typeof answer.error).toBe('string');
    expect(codes.has(String(answer.code))).toBe(true);
    expect(
      Object.keys(answer).every((key) => ['error', 'code', 'details', 'reason'].includes(key)),
    ).toBe(true);
    // Only UNAUTHORIZED says why, and always does.
    expect(answer.reason === undefined).toBe(answer.code !== 'UNAUTHORIZED');
    if (answer.details !== undefined) {
      for (const detail of answer.details as { field: unknown; message: unknown }[]) {
        expect(typeof detail.field).toBe('string');
        expect(typeof detail.message).toBe('string');
      }
    }
  } else {
    expect(typeof answer.message).toBe('string');
    expect('data' in answer).toBe(true);
  }
  for (const leak of [
    '$2a$',
    '$2b$',
    'password_hash',
    'victim.secret@example.com',
    secret,
    '    at ',
    'select ',
    'SELECT ',
    'insert into',
  ]) {
    expect(rawBody).not.toContain(leak);
  }
  if (!spec.issuesTokens || status >= 400) {
    // No JWT and no refresh token of ours, except where the contract hands them out.
    expect(rawBody).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    for (const user of [me, friend, victim]) expect(rawBody).not.toContain(user.refreshToken);
  }
}

describe.each(endpoints)('$name never fails and never leaks', (spec) => {
  it(`answers ${runs} random requests in the contract's shape`, async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyFor(spec),
        queryFor(spec),
        headerValues,
        tokenValue,
        async (body, query, headers, token) => {
          const realBody =
            isRecord(body) && body.refresh_token === 'REAL'
              ? { ...body, refresh_token: (await freshLogin()).refreshToken }
              : body;
          const response = await invoke(spec.handler, {
            method: spec.method,
            body: spec.method === 'POST' ? realBody : undefined,
            query: spec.query ? (query as Record<string, string>) : undefined,
            headers: Object.fromEntries(
              Object.entries(headers).filter(
                ([name]) => spec.method === 'POST' || name !== 'content-type',
              ),
            ),
            token:
              token === 'VALID' ? (spec.revokes ? (await freshLogin()).token : me.token) : token,
          });
          expectContractAnswer(spec, response.status, response.body, response.rawBody);
        },
      ),
      { numRuns: runs },
    );
  });
});
