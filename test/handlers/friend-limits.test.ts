import { handler as add } from '../../functions/friend/add';
import { handler as remove } from '../../functions/friend/remove';
import { getDb } from '../../lib/db/connection';
import { MAX_FRIENDS } from '../../lib/friends';
import { befriend } from '../helpers/chat';
import { seedFriends, storedFriendCounts } from '../helpers/friends';
import { invoke, type InvokeResult } from '../helpers/invoke';
import { loadContainer } from '../helpers/isolated';
import { letterTag, registerUser, type TestUser } from '../helpers/users';

/** The 5,000-friend cap on both sides of an add, and the per-user limit on add attempts. */

async function friendshipExists(a: number, b: number): Promise<boolean> {
  const db = await getDb();
  const row = await db
    .selectFrom('friendships')
    .select('created_at')
    .where('user_low_id', '=', Math.min(a, b))
    .where('user_high_id', '=', Math.max(a, b))
    .executeTakeFirst();
  return row !== undefined;
}

const addBy = (from: TestUser, to: { username: string }) =>
  invoke(add, { token: from.token, body: { friend_username: to.username } });

/** Seeding 5,000 friends takes a few seconds on a busy MySQL. */
const SEEDING_MS = 60_000;

const limitReached = { error: '好友数量已达上限（5000 人）', code: 'FRIEND_LIMIT_REACHED' };

describe('the 5,000-friend cap', () => {
  let full: TestUser;
  let fullFriends: { id: number; username: string }[];

  beforeAll(async () => {
    expect(MAX_FRIENDS).toBe(5000);
    full = await registerUser();
    fullFriends = await seedFriends(full.id, 5000, `c${letterTag(6)}`);
  }, SEEDING_MS);

  it('refuses an add by a user who already has 5,000 friends', async () => {
    const newcomer = await registerUser();
    const response = await addBy(full, newcomer);
    expect(response.status).toBe(409);
    expect(response.body).toEqual(limitReached);
    expect(await friendshipExists(full.id, newcomer.id)).toBe(false);
    expect(await storedFriendCounts(full.id)).toEqual({ count: 5000, entries: 5000 });
    expect(await storedFriendCounts(newcomer.id)).toEqual({ count: 0, entries: 0 });
  });

  it('refuses an add of a user who already has 5,000 friends, in English too', async () => {
    const newcomer = await registerUser();
    const response = await invoke(add, {
      token: newcomer.token,
      body: { friend_username: full.username },
      headers: { 'accept-language': 'en' },
    });
    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      error: 'One of you already has 5,000 friends, the most allowed',
      code: 'FRIEND_LIMIT_REACHED',
    });
    expect(await friendshipExists(full.id, newcomer.id)).toBe(false);
    expect(await storedFriendCounts(newcomer.id)).toEqual({ count: 0, entries: 0 });
  });

  it('still says ALREADY_FRIENDS to a friend of a full user', async () => {
    const friend = fullFriends[0] ?? { id: 0, username: '' };
    const response = await addBy(full, friend);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('ALREADY_FRIENDS');
  });

  it(
    'lets a full user add again after a remove, up to 5,000 again',
    async () => {
      const owner = await registerUser();
      const friends = await seedFriends(owner.id, 5000, `r${letterTag(6)}`);
      const newcomer = await registerUser();
      const removed = await invoke(remove, {
        token: owner.token,
        body: { friend_id: friends[10]?.id },
      });
      expect(removed.status).toBe(200);
      expect(await storedFriendCounts(owner.id)).toEqual({ count: 4999, entries: 4999 });
      expect((await addBy(newcomer, owner)).status).toBe(201);
      expect(await storedFriendCounts(owner.id)).toEqual({ count: 5000, entries: 5000 });
      expect((await addBy(owner, await registerUser())).body).toEqual(limitReached);
    },
    SEEDING_MS,
  );

  it(
    'holds under concurrency: 20 adds at once to a user with 4,995 friends make exactly 5',
    async () => {
      const owner = await registerUser();
      await seedFriends(owner.id, 4995, `n${letterTag(6)}`);
      const others = await Promise.all(Array.from({ length: 20 }, () => registerUser()));
      // Half add the owner, half are added by the owner: both sides of the cap at once.
      const responses = await Promise.all(
        others.map((other, index) => (index % 2 === 0 ? addBy(other, owner) : addBy(owner, other))),
      );
      const statuses = responses.map((response: InvokeResult) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(5);
      expect(statuses.filter((status) => status === 409)).toHaveLength(15);
      for (const response of responses) {
        if (response.status === 409) expect(response.body).toEqual(limitReached);
      }
      expect(await storedFriendCounts(owner.id)).toEqual({ count: 5000, entries: 5000 });
      let befriended = 0;
      for (const other of others) {
        const counts = await storedFriendCounts(other.id);
        expect(counts.count).toBe(counts.entries);
        if (await friendshipExists(owner.id, other.id)) befriended += 1;
      }
      expect(befriended).toBe(5);
    },
    SEEDING_MS,
  );
});

describe('friend counts under concurrent adds and removes', () => {
  it('always equal the list entries', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => registerUser()));
    const [a, b, c, d, e] = users as [TestUser, TestUser, TestUser, TestUser, TestUser];
    await befriend(a, b);
    await befriend(c, d);
    const removeBy = (from: TestUser, to: TestUser) =>
      invoke(remove, { token: from.token, body: { friend_id: to.id } });
    for (let round = 0; round < 3; round += 1) {
      await Promise.all([
        removeBy(a, b),
        addBy(b, a),
        addBy(a, c),
        addBy(c, a),
        removeBy(d, c),
        addBy(e, d),
        addBy(d, e),
        addBy(e, a),
        removeBy(a, e),
        addBy(b, c),
      ]);
    }
    for (const user of users) {
      const counts = await storedFriendCounts(user.id);
      expect(counts.count).toBe(counts.entries);
      const db = await getDb();
      const pairs = await db
        .selectFrom('friendships')
        .select('created_at')
        .where((eb) => eb.or([eb('user_low_id', '=', user.id), eb('user_high_id', '=', user.id)]))
        .execute();
      expect(counts.entries).toBe(pairs.length);
    }
  });
});

describe('friend adds per user', () => {
  const limits = { RATE_LIMITS: 'on', RATE_LIMIT_FRIEND_ADD_PER_USER: '4/60' };
  const modules = { add: '../../functions/friend/add' };
  // Two "Lambda containers": the count is shared between them.
  const containers = [loadContainer(limits, modules), loadContainer(limits, modules)];
  const [first, second] = containers.map((container) => container.handlers) as [
    (typeof containers)[0]['handlers'],
    (typeof containers)[0]['handlers'],
  ];

  afterAll(async () => {
    await Promise.all(containers.map((container) => container.close()));
  });

  it('count every attempt whatever its answer, then refuse with Retry-After', async () => {
    const caller = await registerUser();
    const friend = await registerUser();
    const attempt = (handlers: typeof first, name: string) =>
      invoke(handlers.add, { token: caller.token, body: { friend_username: name } });

    expect((await attempt(first, `nobody_${letterTag(8)}`)).status).toBe(404);
    expect((await attempt(second, caller.username)).status).toBe(400);
    expect((await attempt(first, friend.username)).status).toBe(201);
    expect((await attempt(second, friend.username)).status).toBe(409);

    const newcomer = await registerUser();
    for (const name of [newcomer.username, `nobody_${letterTag(8)}`]) {
      const refused = await attempt(first, name);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ error: '请求过于频繁，请稍后再试', code: 'RATE_LIMITED' });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    expect(await friendshipExists(caller.id, newcomer.id)).toBe(false);

    // Another caller has a count of their own.
    const other = await registerUser();
    const fine = await invoke(second.add, {
      token: other.token,
      body: { friend_username: newcomer.username },
    });
    expect(fine.status).toBe(201);
  });

  it('cannot be walked with unknown names', async () => {
    const caller = await registerUser();
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      const response = await invoke(first.add, {
        token: caller.token,
        body: { friend_username: `nobody_${letterTag(8)}` },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 429, 429]);
  });
});
