import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { handler as changePassword } from '../../functions/auth/change-password';
import { handler as login } from '../../functions/auth/login';
import { handler as logout } from '../../functions/auth/logout';
import { handler as profile } from '../../functions/auth/profile';
import { handler as refresh } from '../../functions/auth/refresh';
import { handler as register } from '../../functions/auth/register';
import { handler as friendAdd } from '../../functions/friend/add';
import { handler as friendList } from '../../functions/friend/list';
import { handler as friendRemove } from '../../functions/friend/remove';
import { handler as friendSearch } from '../../functions/friend/search';
import { handler as messageChats } from '../../functions/message/chats';
import { handler as messageHistory } from '../../functions/message/history';
import { handler as messageLast } from '../../functions/message/last';
import { handler as markRead } from '../../functions/message/mark-read';
import { handler as messageSend } from '../../functions/message/send';
import { handler as health } from '../../functions/system/health';
import { errorStatus } from '../../lib/errors';
import type { LambdaHandler } from '../../lib/http/handler';
import { befriend, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';

/**
 * Property: whatever arrives — random JSON, wrong types, long and odd Unicode, odd query
 * strings and headers, random or forged tokens — every endpoint answers below 500 in the
 * contract's shape, and never leaks a hash, a stack, SQL, the signing secret or another
 * user's email. FUZZ_RUNS cases per endpoint (1,000 in CI; `npm run fuzz` runs more).
 */
const runs = Number(process.env.FUZZ_RUNS ?? 1000);
jest.setTimeout(Math.max(120_000, runs * 200));

const secret = process.env.JWT_SECRET_KEY ?? '';
const codes = new Set(Object.keys(errorStatus));

let me: TestUser;
let friend: TestUser;
let victim: TestUser;

beforeAll(async () => {
  me = await registerUser({ username: 'fuzz_me' });
  friend = await registerUser({ username: 'fuzz_friend' });
  victim = await registerUser({ username: 'fuzz_victim', email: 'victim.secret@example.com' });
  await befriend(me, friend);
  await sendMessage(friend, me, 'hello');
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

interface EndpointSpec {
  name: string;
  handler: LambdaHandler;
  method: 'GET' | 'POST';
  body?: FieldArbitraries;
  query?: FieldArbitraries;
  /** Tokens may appear in its successful answers. */
  issuesTokens?: boolean;
}

const userIds = () => [me.id, friend.id, victim.id];
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
    body: { refresh_token: anyValue },
    issuesTokens: true,
  },
  { name: 'profile', handler: profile, method: 'GET' },
  {
    name: 'change_password',
    handler: changePassword,
    method: 'POST',
    body: { old_password: anyValue, new_password: anyValue },
    issuesTokens: true,
  },
  { name: 'logout', handler: logout, method: 'POST' },
  { name: 'friend/add', handler: friendAdd, method: 'POST', body: { friend_username: anyValue } },
  { name: 'friend/list', handler: friendList, method: 'GET' },
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
    expect(Object.keys(answer).every((key) => ['error', 'code', 'details'].includes(key))).toBe(
      true,
    );
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
          const response = await invoke(spec.handler, {
            method: spec.method,
            body: spec.method === 'POST' ? body : undefined,
            query: spec.query ? (query as Record<string, string>) : undefined,
            headers: Object.fromEntries(
              Object.entries(headers).filter(
                ([name]) => spec.method === 'POST' || name !== 'content-type',
              ),
            ),
            token: token === 'VALID' ? me.token : token,
          });
          expectContractAnswer(spec, response.status, response.body, response.rawBody);
        },
      ),
      { numRuns: runs },
    );
  });
});
