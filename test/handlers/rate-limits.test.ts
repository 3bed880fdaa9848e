import { getDb } from '../../lib/db/connection';
import type { LambdaHandler } from '../../lib/http/handler';
import { registerFriends } from '../helpers/chat';
import { invoke, type InvokeResult } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
import { registerUser, uniqueName, storedUserByName } from '../helpers/users';

const limits = {
  RATE_LIMITS: 'on',
  RATE_LIMIT_LOGIN_PER_ACCOUNT_IP: '3/900',
  RATE_LIMIT_LOGIN_PER_IP: '5/900',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '8/900',
  RATE_LIMIT_REGISTER_PER_IP: '4/3600',
  RATE_LIMIT_SEND_PER_USER: '5/60',
};
const modules = {
  changePassword: '../../functions/auth/change-password',
  login: '../../functions/auth/login',
  register: '../../functions/auth/register',
  send: '../../functions/message/send',
};
// Two "Lambda containers" with limits on: counters must be shared between them.
const containers = [
  loadContainer(limits, modules),
  loadContainer(limits, modules),
  loadContainer({ ...limits, RATE_LIMITS: 'off' }, modules),
];
const [first, second, unlimited] = containers.map((container) => container.handlers) as [
  (typeof containers)[0]['handlers'],
  (typeof containers)[0]['handlers'],
  (typeof containers)[0]['handlers'],
];

afterAll(async () => {
  await Promise.all(containers.map((container) => container.close()));
});

function expectRateLimited(response: InvokeResult, maxSeconds: number): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({ error: '请求过于频繁，请稍后再试', code: 'RATE_LIMITED' });
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
}

let ipCounter = 0;
/** A client address of its own for each test, so their counters do not meet. */
const freshIp = () => `203.0.113.${(ipCounter += 1)}`;

describe('login attempts per account and client IP', () => {
  it('are limited across instances, then even the right password waits', async () => {
    const user = await registerUser();
    const ip = freshIp();
    const wrong = { username: user.username, password: 'wrong password' };
    for (const handlers of [first, second, first]) {
      const response = await invoke(handlers.login, { body: wrong, sourceIp: ip });
      expect(response.status).toBe(401);
    }
    const blocked = await invoke(second.login, {
      body: { username: user.username.toUpperCase(), password: user.password },
      sourceIp: ip,
    });
    expectRateLimited(blocked, 900);

    // Other accounts are not affected, even from that IP.
    const other = await registerUser();
    const fine = await invoke(first.login, {
      body: { username: other.username, password: other.password },
      sourceIp: ip,
    });
    expect(fine.status).toBe(200);
  });

  it('lock out the guesser, not the owner signing in from another network', async () => {
    const user = await registerUser();
    const attacker = freshIp();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await invoke(first.login, {
        body: { username: user.username, password: `guess ${attempt}` },
        sourceIp: attacker,
      });
    }
    const stillLocked = await invoke(first.login, {
      body: { username: user.username, password: 'another guess' },
      sourceIp: attacker,
    });
    expectRateLimited(stillLocked, 900);
    const owner = await invoke(second.login, {
      body: { username: user.username, password: user.password },
      sourceIp: freshIp(),
    });
    expect(owner.status).toBe(200);
  });

  it('count the account, whichever name it is reached by', async () => {
    const user = await registerUser();
    const ip = freshIp();
    for (const name of [user.username, user.email.toUpperCase(), user.username.toUpperCase()]) {
      const response = await invoke(first.login, {
        body: { username: name, password: 'wrong password' },
        sourceIp: ip,
      });
      expect(response.status).toBe(401);
    }
    const blocked = await invoke(second.login, {
      body: { username: user.email, password: user.password },
      sourceIp: ip,
    });
    expectRateLimited(blocked, 900);
  });

  it('hold against a burst of parallel guesses', async () => {
    const user = await registerUser();
    const ip = freshIp();
    // One container: on MySQL its pool runs them truly in parallel. (Two SQLite connections
    // in one thread would block each other's synchronous busy wait; across workers they don't.)
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        invoke(first.login, {
          body: { username: user.username, password: `wrong password ${index}` },
          sourceIp: ip,
        }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(9);
  });

  it('count successful logins too: every attempt costs a bcrypt check', async () => {
    const user = await registerUser();
    const ip = freshIp();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await invoke(first.login, {
        body: { username: user.username, password: user.password },
        sourceIp: ip,
      });
      expect(response.status).toBe(200);
    }
    const blocked = await invoke(first.login, {
      body: { username: user.username, password: user.password },
      sourceIp: ip,
    });
    expectRateLimited(blocked, 900);
  });
});

describe('login attempts per account from anywhere', () => {
  it('are a higher ceiling, against guesses spread over many IPs', async () => {
    const user = await registerUser();
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await invoke(attempt % 2 === 0 ? first.login : second.login, {
        body: { username: user.username, password: `guess ${attempt}` },
        sourceIp: freshIp(),
      });
      expect(response.status).toBe(401);
    }
    const blocked = await invoke(first.login, {
      body: { username: user.username, password: user.password },
      sourceIp: freshIp(),
    });
    expectRateLimited(blocked, 900);
  });
});

describe('wrong old passwords in change_password', () => {
  it('count as login attempts of the account from that IP', async () => {
    const user = await registerUser();
    const ip = freshIp();
    const change = (oldPassword: string) =>
      invoke(first.changePassword, {
        token: user.token,
        body: { old_password: oldPassword, new_password: 'a brand new secret' },
        sourceIp: ip,
      });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await change(`guess ${attempt}`)).status).toBe(400);
    }
    expectRateLimited(await change(user.password), 900);
    const login = await invoke(second.login, {
      body: { username: user.username, password: user.password },
      sourceIp: ip,
    });
    expectRateLimited(login, 900);
    const elsewhere = await invoke(second.login, {
      body: { username: user.username, password: user.password },
      sourceIp: freshIp(),
    });
    expect(elsewhere.status).toBe(200);
  });
});

describe('login attempts per client IP', () => {
  it('are limited by the source IP API Gateway saw, whatever the headers say', async () => {
    const ip = freshIp();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await invoke(attempt % 2 === 0 ? first.login : second.login, {
        body: { username: uniqueName('ghost'), password: 'wrong password' },
        sourceIp: ip,
        headers: {
          'x-forwarded-for': `198.51.100.${attempt}`,
          'x-real-ip': `198.51.100.${attempt}`,
        },
      });
      expect(response.status).toBe(401);
    }
    const user = await registerUser();
    const blocked = await invoke(first.login, {
      body: { username: user.username, password: user.password },
      sourceIp: ip,
      headers: { 'x-forwarded-for': '198.51.100.99' },
    });
    expectRateLimited(blocked, 900);
    const elsewhere = await invoke(first.login, {
      body: { username: user.username, password: user.password },
      sourceIp: freshIp(),
    });
    expect(elsewhere.status).toBe(200);
  });
});

describe('rate-limit rows', () => {
  it('store a keyed hash of their subject, never a typed name or an IP', async () => {
    const db = await getDb();
    const ip = freshIp();
    const typed = `MySecretPassw0rd-${uniqueName()}`;
    const response = await invoke(first.login, {
      body: { username: typed, password: 'wrong password' },
      sourceIp: ip,
    });
    expect(response.status).toBe(401);
    const rows = await db.selectFrom('rate_limit_counters').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const table = JSON.stringify(rows);
    for (const secret of [typed, typed.toLowerCase(), ip]) expect(table).not.toContain(secret);
    for (const row of rows) {
      expect(row.bucket).toMatch(/^[A-Za-z]+:[A-Za-z0-9_-]{43}$/);
      expect(row.stamps).toMatch(/^(\d{13})+$/);
    }
  });
});

describe('registrations per client IP', () => {
  it('are limited, and the refused one creates nothing', async () => {
    const ip = freshIp();
    for (let index = 0; index < 4; index += 1) {
      const username = uniqueName();
      const response = await invoke(index % 2 === 0 ? first.register : second.register, {
        body: { username, email: `${username}@example.com`, password: 'a fine password' },
        sourceIp: ip,
      });
      expect(response.status).toBe(201);
    }
    const username = uniqueName();
    const blocked = await invoke(first.register, {
      body: { username, email: `${username}@example.com`, password: 'a fine password' },
      sourceIp: ip,
    });
    expectRateLimited(blocked, 3600);
    expect(await storedUserByName(username)).toBeUndefined();
  });
});

describe('messages per user', () => {
  it('are limited, the refused message is not stored, and retries are free', async () => {
    const [alice, bob] = await registerFriends();
    const send = (handlers: typeof first, content: string) =>
      invoke(handlers.send, {
        token: alice.token,
        body: { receiver_id: bob.id, content, client_msg_id: content },
      });
    for (let index = 0; index < 5; index += 1) {
      expect((await send(index % 2 === 0 ? first : second, `ok ${index}`)).status).toBe(201);
    }
    expectRateLimited(await send(first, 'one too many'), 60);
    const db = await getDb();
    const stored = await db
      .selectFrom('messages')
      .select('content')
      .where('sender_id', '=', alice.id)
      .execute();
    expect(stored.map((row) => row.content)).not.toContain('one too many');
    expect(stored).toHaveLength(5);
    // Retrying a send that was stored (same client_msg_id) is not another message.
    const retry = await send(second, 'ok 0');
    expect(retry.status).toBe(200);
  });

  it('count refused sends, never replays', async () => {
    const [alice, bob] = await registerFriends();
    const stranger = await registerUser();
    const send = (receiverId: number, key: string) =>
      invoke(first.send, {
        token: alice.token,
        body: { receiver_id: receiverId, content: key, client_msg_id: key },
      });
    // Refusals cost a transaction, so they count: two of the five.
    for (let index = 0; index < 2; index += 1) {
      expect((await send(stranger.id, `refused ${index}`)).status).toBe(403);
    }
    expect((await send(bob.id, 'first')).status).toBe(201);
    // Replays of a stored message are free, however many.
    for (let index = 0; index < 6; index += 1) {
      expect((await send(bob.id, 'first')).status).toBe(200);
    }
    for (let index = 0; index < 2; index += 1) {
      expect((await send(bob.id, `more ${index}`)).status).toBe(201);
    }
    expectRateLimited(await send(bob.id, 'one too many'), 60);
    expectRateLimited(await send(stranger.id, 'refused, and over the limit'), 60);
  });
});

describe('a sliding window', () => {
  // A container of its own whose clock the test moves (lib/clock.ts of that registry).
  let send: LambdaHandler;
  let useClock: (clock: (() => Date) | undefined) => void;
  let closeDb: () => Promise<void>;
  beforeAll(() => {
    const saved = { ...process.env };
    Object.assign(process.env, limits);
    try {
      jest.isolateModules(() => {
        /* eslint-disable @typescript-eslint/no-require-imports -- loaded under `limits` */
        send = require('../../functions/message/send').handler;
        useClock = require('../../lib/clock').useClock;
        closeDb = require('../../lib/db/connection').closeDb;
        /* eslint-enable @typescript-eslint/no-require-imports */
      });
    } finally {
      process.env = saved;
    }
  });
  afterAll(async () => {
    useClock(undefined);
    await closeDb();
  });

  it('never lets more than the limit through in any interval of its length, across a fixed boundary', async () => {
    const [alice, bob] = await registerFriends();
    // A minute boundary, as fixed windows would have cut them, a minute from now.
    const boundary = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    const at = (ms: number) => useClock(() => new Date(boundary + ms));
    let sequence = 0;
    const sendOne = async () => {
      sequence += 1;
      return invoke(send, {
        token: alice.token,
        body: { receiver_id: bob.id, content: `m${sequence}`, client_msg_id: `m${sequence}` },
      });
    };
    // The limit (5 per 60 s) half a second before the boundary, then a burst just after it:
    // a fixed window would let 5 more through within one second.
    at(-500);
    for (let index = 0; index < 5; index += 1) expect((await sendOne()).status).toBe(201);
    at(500);
    for (let index = 0; index < 5; index += 1) expectRateLimited(await sendOne(), 60);
    // Retry-After says when the oldest counted send leaves the window: 59.5 s after the boundary.
    at(59_000);
    const waiting = await sendOne();
    expectRateLimited(waiting, 1);
    at(59_499);
    expectRateLimited(await sendOne(), 1);
    at(59_500);
    expect((await sendOne()).status).toBe(201);
    // Refused sends were not counted: the other four counted sends leave at the same moment.
    for (let index = 0; index < 4; index += 1) expect((await sendOne()).status).toBe(201);
    expectRateLimited(await sendOne(), 60);
  });
});

describe('RATE_LIMITS=off', () => {
  it('turns every limit off', async () => {
    const ip = freshIp();
    const user = await registerUser();
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await invoke(unlimited.login, {
        body: { username: user.username, password: 'wrong password' },
        sourceIp: ip,
      });
      expect(response.status).toBe(401);
    }
    for (let index = 0; index < 6; index += 1) {
      const username = uniqueName();
      const response = await invoke(unlimited.register, {
        body: { username, email: `${username}@example.com`, password: 'a fine password' },
        sourceIp: ip,
      });
      expect(response.status).toBe(201);
    }
  });
});
