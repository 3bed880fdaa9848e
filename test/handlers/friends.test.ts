import { handler as add } from '../../functions/friend/add';
import { handler as list } from '../../functions/friend/list';
import { handler as remove } from '../../functions/friend/remove';
import { getDb } from '../../lib/db/connection';
import { invoke } from '../helpers/invoke';
import { letterTag as tag, registerUser, type TestUser } from '../helpers/users';

async function friendshipRows(a: number, b: number) {
  const db = await getDb();
  return db
    .selectFrom('friendships')
    .selectAll()
    .where('user_low_id', '=', Math.min(a, b))
    .where('user_high_id', '=', Math.max(a, b))
    .execute();
}

async function friendIds(user: TestUser): Promise<number[]> {
  const response = await invoke(list, { token: user.token });
  expect(response.status).toBe(200);
  return response.body.data.friends.map((friend: { id: number }) => friend.id);
}

describe('POST /api/friend/add', () => {
  it('makes both users friends at once and answers 201 with the friend', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const response = await invoke(add, {
      token: alice.token,
      body: { friend_username: bob.username },
    });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      message: '添加好友成功',
      data: {
        friend: {
          id: bob.id,
          username: bob.username,
          created_at: expect.stringMatching(/Z$/),
          since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
      },
    });
    expect(response.rawBody).not.toContain(bob.email);
    expect(await friendshipRows(alice.id, bob.id)).toEqual([
      expect.objectContaining({ created_by: alice.id }),
    ]);
    expect(await friendIds(alice)).toEqual([bob.id]);
    expect(await friendIds(bob)).toEqual([alice.id]);
  });

  it('matches the username without regard to case or surrounding spaces', async () => {
    const alice = await registerUser();
    const bob = await registerUser({ username: `Bob_${tag()}` });
    const response = await invoke(add, {
      token: alice.token,
      body: { friend_username: `  ${bob.username.toLowerCase()} ` },
    });
    expect(response.status).toBe(201);
    expect(response.body.data.friend.username).toBe(bob.username);
  });

  it('answers 409 ALREADY_FRIENDS on a repeat, from either side', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    await invoke(add, { token: alice.token, body: { friend_username: bob.username } });
    const again = await invoke(add, {
      token: alice.token,
      body: { friend_username: bob.username },
    });
    const reverse = await invoke(add, {
      token: bob.token,
      body: { friend_username: alice.username },
    });
    for (const response of [again, reverse]) {
      expect(response.status).toBe(409);
      expect(response.body).toEqual({ error: '你们已经是好友了', code: 'ALREADY_FRIENDS' });
    }
    expect(await friendshipRows(alice.id, bob.id)).toHaveLength(1);
  });

  it('answers 404 USER_NOT_FOUND for an unknown name, SQL and wildcards included', async () => {
    const alice = await registerUser();
    await registerUser();
    for (const name of ['nobody_here', "' OR '1'='1", '%', '_', `${alice.username.slice(0, 4)}%`]) {
      const response = await invoke(add, { token: alice.token, body: { friend_username: name } });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: '用户不存在', code: 'USER_NOT_FOUND' });
    }
    expect(await friendIds(alice)).toEqual([]);
  });

  it('answers 400 CANNOT_ADD_SELF for your own name in any case', async () => {
    const alice = await registerUser({ username: `Alice_${tag()}` });
    const response = await invoke(add, {
      token: alice.token,
      body: { friend_username: alice.username.toUpperCase() },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('CANNOT_ADD_SELF');
    expect(await friendIds(alice)).toEqual([]);
  });

  it.each([
    ['missing', {}],
    ['a number', { friend_username: 42 }],
    ['blank', { friend_username: '   ' }],
    ['too long', { friend_username: 'a'.repeat(65) }],
    ['an array', { friend_username: ['bob'] }],
  ])('answers 400 VALIDATION_ERROR when friend_username is %s', async (_, body) => {
    const alice = await registerUser();
    const response = await invoke(add, { token: alice.token, body });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.details[0].field).toBe('friend_username');
  });

  it('requires a token', async () => {
    const response = await invoke(add, { body: { friend_username: 'bob' } });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
  });

  it('leaves exactly one friendship when both sides add each other at once', async () => {
    for (let round = 0; round < 5; round += 1) {
      const alice = await registerUser();
      const bob = await registerUser();
      const responses = await Promise.all([
        invoke(add, { token: alice.token, body: { friend_username: bob.username } }),
        invoke(add, { token: bob.token, body: { friend_username: alice.username } }),
        invoke(add, { token: alice.token, body: { friend_username: bob.username } }),
        invoke(add, { token: bob.token, body: { friend_username: alice.username } }),
      ]);
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409]);
      expect(await friendshipRows(alice.id, bob.id)).toHaveLength(1);
      expect(await friendIds(alice)).toEqual([bob.id]);
      expect(await friendIds(bob)).toEqual([alice.id]);
    }
  });
});

describe('GET /api/friend/list', () => {
  it('is empty for a new user', async () => {
    const alice = await registerUser();
    const response = await invoke(list, { token: alice.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '获取好友列表成功',
      data: { friends: [], count: 0, next_cursor: null },
    });
  });

  it('lists friends from both directions, by username without regard to case', async () => {
    const t = tag();
    const me = await registerUser({ username: `me_${t}` });
    const names = [`carol_${t}`, `Bob_${t}`, `张三_${t}`, `alice_${t}`, `Dave_${t}`];
    const others = [];
    for (const [index, username] of names.entries()) {
      const other = await registerUser({ username });
      others.push(other);
      // Half of them added me, half were added by me.
      const [from, to] = index % 2 === 0 ? [me, other] : [other, me];
      expect(
        (await invoke(add, { token: from.token, body: { friend_username: to.username } })).status,
      ).toBe(201);
    }
    const stranger = await registerUser();
    const outsider = await registerUser();
    await invoke(add, { token: stranger.token, body: { friend_username: outsider.username } });

    const response = await invoke(list, { token: me.token });
    expect(response.body.data.count).toBe(5);
    expect(
      response.body.data.friends.map((friend: { username: string }) => friend.username),
    ).toEqual([`alice_${t}`, `Bob_${t}`, `carol_${t}`, `Dave_${t}`, `张三_${t}`]);
    for (const friend of response.body.data.friends) {
      expect(Object.keys(friend).sort()).toEqual([
        'blocked',
        'created_at',
        'id',
        'since',
        'username',
      ]);
      expect(friend.blocked).toBe(false);
    }
    expect(response.rawBody).not.toContain('@example.com');
  });

  it('requires a token', async () => {
    expect((await invoke(list, {})).status).toBe(401);
  });
});

describe('POST /api/friend/remove', () => {
  it('ends the friendship for both sides', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    await invoke(add, { token: alice.token, body: { friend_username: bob.username } });

    const response = await invoke(remove, {
      token: bob.token,
      body: { friend_id: String(alice.id) },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ message: '删除好友成功', data: { friend_id: alice.id } });
    expect(await friendshipRows(alice.id, bob.id)).toEqual([]);
    expect(await friendIds(alice)).toEqual([]);
    expect(await friendIds(bob)).toEqual([]);

    const again = await invoke(add, {
      token: alice.token,
      body: { friend_username: bob.username },
    });
    expect(again.status).toBe(201);
  });

  it('answers 404 FRIEND_NOT_FOUND for a non-friend, an unknown user, yourself and a repeat', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const carol = await registerUser();
    await invoke(add, { token: bob.token, body: { friend_username: carol.username } });
    await invoke(add, { token: alice.token, body: { friend_username: bob.username } });
    await invoke(remove, { token: alice.token, body: { friend_id: bob.id } });

    for (const friendId of [carol.id, 999999, alice.id, bob.id]) {
      const response = await invoke(remove, { token: alice.token, body: { friend_id: friendId } });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: '好友关系不存在', code: 'FRIEND_NOT_FOUND' });
    }
    // Other people's friendships are untouched.
    expect(await friendshipRows(bob.id, carol.id)).toHaveLength(1);
  });

  it.each([0, -1, 1.5, 'abc', '1 OR 1=1', null, true, '', [1]])(
    'answers 400 VALIDATION_ERROR for friend_id %j',
    async (friendId) => {
      const alice = await registerUser();
      const response = await invoke(remove, { token: alice.token, body: { friend_id: friendId } });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
      expect(response.body.details).toEqual([{ field: 'friend_id', message: '必须是正整数' }]);
    },
  );

  it('says friend_id is required when it is missing', async () => {
    const alice = await registerUser();
    const response = await invoke(remove, { token: alice.token, body: {} });
    expect(response.body.details).toEqual([{ field: 'friend_id', message: '必填' }]);
  });
});
