import { randomBytes } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { handler as refresh } from '../../functions/auth/refresh';
import { handler as housekeeping } from '../../functions/system/housekeeping';
import { getConfig } from '../../lib/config';
import { getDb } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { runHousekeeping } from '../../lib/housekeeping';
import type { WsHandler } from '../../lib/ws/handler';
import { loadContainer } from '../helpers/isolated';
import { invoke, lambdaContext } from '../helpers/invoke';
import { seedUsers } from '../helpers/query-plans';
import { registerUser } from '../helpers/users';
import { connectionId, invokeWs } from '../helpers/ws';

/**
 * The scheduled clean-up, with its clock in the test's hands: each kind of row goes when it
 * is due and stays until then, a login still in use is never touched, work is done in
 * bounded batches, and two runs at once share it.
 */
const NOW = new Date('2031-03-10T12:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const accessTtlMs = () => getConfig().accessTokenTtlSeconds * SECOND;
const at = (offsetMs: number, now = NOW) => toDbTimestamp(new Date(now.getTime() + offsetMs));

let users: number[];

beforeAll(async () => {
  users = await seedUsers(`hk${randomBytes(3).toString('hex')}_`, 3);
});

/** Each test starts without connections, logins, tokens or rate-limit windows. */
beforeEach(async () => {
  const db = await getDb();
  await db.deleteFrom('connections').execute();
  await db.deleteFrom('refresh_tokens').execute();
  await db.deleteFrom('sessions').execute();
  await db.deleteFrom('rate_limit_counters').execute();
});

const user = (index = 0) => users[index] ?? 0;

async function seedSession(options: { revokedAt?: string; userIndex?: number } = {}) {
  const db = await getDb();
  const { insertId } = await db
    .insertInto('sessions')
    .values({
      user_id: user(options.userIndex),
      token_version: 0,
      created_at: at(-40 * DAY),
      revoked_at: options.revokedAt ?? null,
    })
    .executeTakeFirstOrThrow();
  return Number(insertId);
}

async function seedToken(
  sessionId: number,
  expiresAt: string,
  used: boolean | string = false,
): Promise<string> {
  const db = await getDb();
  const hash = randomBytes(32).toString('hex');
  await db
    .insertInto('refresh_tokens')
    .values({
      token_hash: hash,
      session_id: sessionId,
      created_at: at(-40 * DAY),
      expires_at: expiresAt,
      used_at: typeof used === 'string' ? used : used ? at(-35 * DAY) : null,
    })
    .execute();
  return hash;
}

async function seedConnection(sessionId: number, connectedAt: string, userIndex = 0) {
  const db = await getDb();
  const id = randomBytes(12).toString('base64url');
  await db
    .insertInto('connections')
    .values({
      connection_id: id,
      user_id: user(userIndex),
      session_id: sessionId,
      language: 'zh',
      connected_at: connectedAt,
    })
    .execute();
  return id;
}

async function seedWindow(expiresAt: string): Promise<string> {
  const db = await getDb();
  const bucket = `sendPerUser:${randomBytes(6).toString('hex')}`;
  await db
    .insertInto('rate_limit_counters')
    .values({ bucket, stamps: '1700000000000', blocked_until: 0, expires_at: expiresAt })
    .execute();
  return bucket;
}

/** What is left, as sorted keys per table. */
async function remaining() {
  const db = await getDb();
  const keys = async <T>(rows: Promise<T[]>, key: (row: T) => string | number) =>
    (await rows).map(key).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    connections: await keys(
      db.selectFrom('connections').select('connection_id').execute(),
      (r) => r.connection_id,
    ),
    rateLimitWindows: await keys(
      db.selectFrom('rate_limit_counters').select('bucket').execute(),
      (r) => r.bucket,
    ),
    refreshTokens: await keys(
      db.selectFrom('refresh_tokens').select('token_hash').execute(),
      (r) => r.token_hash,
    ),
    sessions: await keys(db.selectFrom('sessions').select('id').execute(), (r) => r.id),
  };
}

const sortedKeys = <T extends string | number>(values: T[]) =>
  [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('runHousekeeping', () => {
  it('removes each kind of row when it is due, and keeps it until then', async () => {
    const ttl = accessTtlMs();
    // A live login: unexpired refresh token, a fresh connection and one 1h59m old.
    const live = await seedSession();
    const liveToken = await seedToken(live, at(10 * DAY));
    const fresh = await seedConnection(live, at(-(1 * HOUR + 59 * MINUTE)));
    await seedConnection(live, at(-(2 * HOUR + 1 * MINUTE)));
    // A rotated login: its spent token expired long ago, its current one has not.
    const rotated = await seedSession();
    await seedToken(rotated, at(-2 * DAY), true); // spent
    const current = await seedToken(rotated, at(20 * DAY));
    // Logins whose last refresh token expired: just over and just under the grace period.
    await seedToken(await seedSession(), at(-ttl - SECOND));
    const grace = await seedSession();
    const graceToken = await seedToken(grace, at(-ttl + SECOND));
    // Revoked logins: long enough ago, too recently, and long ago but still connected.
    await seedToken(await seedSession({ revokedAt: at(-ttl - SECOND) }), at(10 * DAY));
    const justRevoked = await seedSession({ revokedAt: at(-ttl + SECOND) });
    const justRevokedToken = await seedToken(justRevoked, at(10 * DAY));
    const connectedRevoked = await seedSession({ revokedAt: at(-DAY) });
    const connectedRevokedToken = await seedToken(connectedRevoked, at(10 * DAY));
    const revokedSocket = await seedConnection(connectedRevoked, at(-10 * MINUTE));
    // Rate-limit windows: ended a second ago, and ending in a second.
    await seedWindow(at(-SECOND));
    const openWindow = await seedWindow(at(SECOND));

    const report = await runHousekeeping({ now: NOW });
    expect(report).toEqual({ connections: 1, rateLimitWindows: 1, refreshTokens: 3, sessions: 2 });
    expect(await remaining()).toEqual({
      connections: sortedKeys([fresh, revokedSocket]),
      rateLimitWindows: [openWindow],
      refreshTokens: sortedKeys([
        liveToken,
        current,
        graceToken,
        justRevokedToken,
        connectedRevokedToken,
      ]),
      sessions: sortedKeys([live, rotated, grace, justRevoked, connectedRevoked]),
    });

    // Nothing more to do at the same moment.
    expect(await runHousekeeping({ now: NOW })).toEqual({
      connections: 0,
      rateLimitWindows: 0,
      refreshTokens: 0,
      sessions: 0,
    });
  });

  it('a revoked login goes once its last connection has gone', async () => {
    const revoked = await seedSession({ revokedAt: at(-DAY) });
    await seedToken(revoked, at(10 * DAY));
    await seedConnection(revoked, at(-HOUR));
    expect(await runHousekeeping({ now: NOW })).toEqual({
      connections: 0,
      rateLimitWindows: 0,
      refreshTokens: 0,
      sessions: 0,
    });
    // Two hours later the connection is past the gateway's limit: it goes, then the login.
    const later = new Date(NOW.getTime() + 2 * HOUR);
    expect(await runHousekeeping({ now: later })).toEqual({
      connections: 1,
      rateLimitWindows: 0,
      refreshTokens: 1,
      sessions: 1,
    });
    expect(await remaining()).toEqual({
      connections: [],
      rateLimitWindows: [],
      refreshTokens: [],
      sessions: [],
    });
  });

  describe('with REFRESH_TOKEN_TTL_SECONDS=300', () => {
    // Another container, configured with the shortest refresh-token lifetime allowed.
    const container = loadContainer(
      { REFRESH_TOKEN_TTL_SECONDS: '300' },
      { register: '../../functions/auth/register', connect: '../../functions/ws/connect' },
    );
    afterAll(() => container.close());

    it('an expired login that was still connected goes once its connection has gone', async () => {
      const registered = await invoke(container.handlers.register, {
        body: {
          username: `hk_${randomBytes(4).toString('hex')}`,
          email: `${randomBytes(4).toString('hex')}@example.com`,
          password: 'correct horse battery',
        },
      });
      expect(registered.status).toBe(201);
      expect(registered.body.data.refresh_expires_in).toBe(300);
      const socket = connectionId();
      const connected = await invokeWs(
        container.handlers.connect as unknown as WsHandler,
        '$connect',
        { connectionId: socket, query: { token: registered.body.data.access_token } },
      );
      expect(connected.status).toBe(200);
      const [login] = (await remaining()).sessions;

      // 21 minutes on: the refresh token expired 16 minutes ago; the socket is still open.
      const start = Date.now();
      expect(await runHousekeeping({ now: new Date(start + 21 * MINUTE) })).toEqual({
        connections: 0,
        rateLimitWindows: 0,
        refreshTokens: 1,
        sessions: 0,
      });
      expect(await remaining()).toMatchObject({ connections: [socket], sessions: [login] });

      // Past the gateway's two hours the connection goes, and with it the login.
      expect(await runHousekeeping({ now: new Date(start + 2 * HOUR + 10 * MINUTE) })).toEqual({
        connections: 1,
        rateLimitWindows: 0,
        refreshTokens: 0,
        sessions: 1,
      });
      expect(await remaining()).toEqual({
        connections: [],
        rateLimitWindows: [],
        refreshTokens: [],
        sessions: [],
      });
    });
  });

  it('removes spent refresh tokens once past the reuse grace window, and nothing of their login', async () => {
    const grace = getConfig().refreshReuseGraceSeconds * SECOND;
    const live = await seedSession();
    await seedToken(live, at(10 * DAY), at(-grace - SECOND)); // spent, past the grace window
    const retryable = await seedToken(live, at(10 * DAY), at(-grace + SECOND)); // still retryable
    const current = await seedToken(live, at(30 * DAY));
    expect(await runHousekeeping({ now: NOW })).toEqual({
      connections: 0,
      rateLimitWindows: 0,
      refreshTokens: 1,
      sessions: 0,
    });
    expect(await remaining()).toMatchObject({
      refreshTokens: sortedKeys([retryable, current]),
      sessions: [live],
    });
  });

  it("removes the limiter's rows once every use they counted has left the window", async () => {
    let consumeLimit: (name: 'sendPerUser', subject: string) => Promise<void> = async () => {};
    let useClock: (clock: (() => Date) | undefined) => void = () => {};
    let closeDb = async () => {};
    const saved = { ...process.env };
    Object.assign(process.env, { RATE_LIMITS: 'on', RATE_LIMIT_SEND_PER_USER: '3/60' });
    try {
      jest.isolateModules(() => {
        /* eslint-disable @typescript-eslint/no-require-imports -- loaded with limits on */
        consumeLimit = require('../../lib/rate-limits').consumeLimit;
        useClock = require('../../lib/clock').useClock;
        closeDb = require('../../lib/db/connection').closeDb;
        // Read now, while the environment has the limits on.
        require('../../lib/config').getConfig();
        /* eslint-enable @typescript-eslint/no-require-imports */
      });
    } finally {
      process.env = saved;
    }
    try {
      useClock(() => NOW);
      await consumeLimit('sendPerUser', '1');
      useClock(() => new Date(NOW.getTime() + 30 * SECOND));
      await consumeLimit('sendPerUser', '1');
      await consumeLimit('sendPerUser', '2');
    } finally {
      useClock(undefined);
      await closeDb();
    }
    expect((await remaining()).rateLimitWindows).toHaveLength(2);
    // Subject 1's newest use leaves the window 90 s after NOW, subject 2's too.
    expect(await runHousekeeping({ now: new Date(NOW.getTime() + 89 * SECOND) })).toMatchObject({
      rateLimitWindows: 0,
    });
    expect(await runHousekeeping({ now: new Date(NOW.getTime() + 91 * SECOND) })).toMatchObject({
      rateLimitWindows: 2,
    });
    expect((await remaining()).rateLimitWindows).toEqual([]);
  });

  it('never touches a login in use: its refresh token still works after a run', async () => {
    const person = await registerUser();
    // Registered at the real time: run as if 29 days had passed (the token lasts 30).
    const report = await runHousekeeping({ now: new Date(Date.now() + 29 * DAY) });
    expect(report).toEqual({ connections: 0, rateLimitWindows: 0, refreshTokens: 0, sessions: 0 });
    const response = await invoke(refresh, { body: { refresh_token: person.refreshToken } });
    expect(response.status).toBe(200);
  });

  it('works in batches: batchSize 2, maxBatches 1 leaves the rest for the next run', async () => {
    const seeded = {
      connections: [] as string[],
      windows: [] as string[],
      sessions: [] as number[],
    };
    for (let index = 0; index < 5; index += 1) {
      const expired = await seedSession();
      await seedToken(expired, at(-DAY));
      const revoked = await seedSession({ revokedAt: at(-DAY) });
      await seedToken(revoked, at(DAY));
      const live = await seedSession();
      await seedToken(live, at(DAY));
      seeded.sessions.push(live);
      seeded.connections.push(await seedConnection(live, at(-3 * HOUR - index * MINUTE)));
      seeded.windows.push(await seedWindow(at(-HOUR - index * MINUTE)));
    }
    const options = { now: NOW, batchSize: 2, maxBatches: 1 };
    const counts = async () => {
      const left = await remaining();
      return {
        connections: left.connections.length,
        rateLimitWindows: left.rateLimitWindows.length,
        refreshTokens: left.refreshTokens.length,
        sessions: left.sessions.length,
      };
    };

    // Each kind: at most one batch of two per run; the oldest go first.
    expect(await runHousekeeping(options)).toEqual({
      connections: 2,
      rateLimitWindows: 2,
      refreshTokens: 4,
      sessions: 4,
    });
    expect(await counts()).toEqual({
      connections: 3,
      rateLimitWindows: 3,
      refreshTokens: 11,
      sessions: 11,
    });
    // The oldest connections and windows (seeded last) went first.
    expect((await remaining()).connections).toEqual(sortedKeys(seeded.connections.slice(0, 3)));
    expect((await remaining()).rateLimitWindows).toEqual(sortedKeys(seeded.windows.slice(0, 3)));

    expect(await runHousekeeping(options)).toEqual({
      connections: 2,
      rateLimitWindows: 2,
      refreshTokens: 4,
      sessions: 4,
    });
    expect(await runHousekeeping(options)).toEqual({
      connections: 1,
      rateLimitWindows: 1,
      refreshTokens: 2,
      sessions: 2,
    });
    expect(await runHousekeeping(options)).toEqual({
      connections: 0,
      rateLimitWindows: 0,
      refreshTokens: 0,
      sessions: 0,
    });
    // Only the live logins are left, each with its token.
    expect(await counts()).toEqual({
      connections: 0,
      rateLimitWindows: 0,
      refreshTokens: 5,
      sessions: 5,
    });
    expect((await remaining()).sessions).toEqual(sortedKeys(seeded.sessions));
  });

  it('with enough batches one run does everything', async () => {
    for (let index = 0; index < 5; index += 1) {
      await seedWindow(at(-HOUR));
      await seedConnection(await seedSession(), at(-3 * HOUR));
    }
    expect(await runHousekeeping({ now: NOW, batchSize: 2, maxBatches: 3 })).toMatchObject({
      connections: 5,
      rateLimitWindows: 5,
    });
    expect((await remaining()).connections).toEqual([]);
  });

  it('two runs at once both succeed, share the work and leave what one run would', async () => {
    const COUNT = 40;
    const kept = {
      connections: [] as string[],
      windows: [] as string[],
      tokens: [] as string[],
      sessions: [] as number[],
    };
    for (let index = 0; index < COUNT; index += 1) {
      const userIndex = index % 3;
      const expired = await seedSession({ userIndex });
      await seedToken(expired, at(-DAY - index * SECOND));
      const revoked = await seedSession({ userIndex, revokedAt: at(-DAY - index * SECOND) });
      await seedToken(revoked, at(DAY));
      await seedWindow(at(-HOUR - index * SECOND));
      if (index % 4 === 0) {
        const live = await seedSession({ userIndex });
        kept.sessions.push(live);
        kept.tokens.push(await seedToken(live, at(DAY)));
        await seedToken(live, at(DAY), at(-HOUR - index * SECOND)); // spent long ago
        kept.connections.push(await seedConnection(live, at(-HOUR), userIndex));
        kept.windows.push(await seedWindow(at(HOUR)));
        await seedConnection(live, at(-3 * HOUR - index * SECOND), userIndex);
      } else {
        await seedConnection(revoked, at(-3 * HOUR - index * SECOND), userIndex);
      }
    }

    const options = { now: NOW, batchSize: 5, maxBatches: 20 };
    const reports = await Promise.all([runHousekeeping(options), runHousekeeping(options)]);
    const total = (key: keyof (typeof reports)[0]) =>
      reports.reduce((sum, report) => sum + report[key], 0);
    // Every row went exactly once, whichever run removed it.
    expect({
      connections: total('connections'),
      rateLimitWindows: total('rateLimitWindows'),
      refreshTokens: total('refreshTokens'),
      sessions: total('sessions'),
    }).toEqual({
      connections: COUNT,
      rateLimitWindows: COUNT,
      refreshTokens: 2 * COUNT + COUNT / 4,
      sessions: 2 * COUNT,
    });
    expect(await remaining()).toEqual({
      connections: sortedKeys(kept.connections),
      rateLimitWindows: sortedKeys(kept.windows),
      refreshTokens: sortedKeys(kept.tokens),
      sessions: sortedKeys(kept.sessions),
    });
    // And a third run finds nothing left.
    expect(await runHousekeeping(options)).toEqual({
      connections: 0,
      rateLimitWindows: 0,
      refreshTokens: 0,
      sessions: 0,
    });
  });
});

describe('the scheduled function', () => {
  const scheduledEvent = (): ScheduledEvent => ({
    version: '0',
    id: 'd2b1b9a4-0000-4000-8000-000000000000',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/chat-backend-housekeeping'],
    detail: {},
  });

  it('runs the clean-up at the current time and returns its report', async () => {
    const now = new Date();
    const live = await seedSession();
    const liveToken = await seedToken(live, at(DAY, now));
    const fresh = await seedConnection(live, at(-HOUR, now));
    await seedConnection(live, at(-3 * HOUR, now));
    await seedWindow(at(-MINUTE, now));
    const open = await seedWindow(at(HOUR, now));
    const expired = await seedSession();
    await seedToken(expired, at(-DAY, now));

    const report = await housekeeping(scheduledEvent(), lambdaContext());
    expect(report).toEqual({ connections: 1, rateLimitWindows: 1, refreshTokens: 1, sessions: 1 });
    expect(await remaining()).toEqual({
      connections: [fresh],
      rateLimitWindows: [open],
      refreshTokens: [liveToken],
      sessions: [live],
    });
  });
});
