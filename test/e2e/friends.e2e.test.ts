import { signUp, useOfflineApi } from './client';

/** The friend endpoints over real HTTP, through serverless-offline. */
const { api, call } = useOfflineApi();
const t = Date.now().toString(36);

it('adds, lists, searches and removes friends', async () => {
  const alice = await signUp(api(), `alice_${t}`);
  const bob = await signUp(api(), `Bob_${t}`);
  const zhang = await signUp(api(), `张三_${t}`);

  const added = await call('/api/friend/add', {
    token: alice.token,
    body: { friend_username: `bob_${t}` },
  });
  expect(added).toHaveStatus(201);
  expect(added.body.data.friend).toMatchObject({ id: bob.id, username: bob.username });

  const zhangAddsAlice = await call('/api/friend/add', {
    token: zhang.token,
    body: { friend_username: alice.username },
  });
  expect(zhangAddsAlice).toHaveStatus(201);

  const repeat = await call('/api/friend/add', {
    token: bob.token,
    body: { friend_username: alice.username },
  });
  expect(repeat).toHaveStatus(409);
  expect(repeat.body.code).toBe('ALREADY_FRIENDS');

  const self = await call('/api/friend/add', {
    token: bob.token,
    body: { friend_username: bob.username },
  });
  expect(self).toHaveStatus(400);
  expect(self.body.code).toBe('CANNOT_ADD_SELF');

  const unknown = await call('/api/friend/add', {
    token: bob.token,
    body: { friend_username: 'nobody%' },
  });
  expect(unknown).toHaveStatus(404);
  expect(unknown.body.code).toBe('USER_NOT_FOUND');

  const aliceList = await call('/api/friend/list', { token: alice.token });
  expect(aliceList).toHaveStatus(200);
  expect(aliceList.body.data.count).toBe(2);
  expect(aliceList.body.data.friends.map((friend: { id: number }) => friend.id)).toEqual([
    bob.id,
    zhang.id,
  ]);

  const search = await call(`/api/friend/search?keyword=${encodeURIComponent(`_${t}`)}&limit=10`, {
    token: bob.token,
  });
  expect(search).toHaveStatus(200);
  expect(search.body.data.users).toEqual([
    { id: alice.id, username: alice.username, is_friend: true },
    { id: zhang.id, username: zhang.username, is_friend: false },
  ]);

  const wildcard = await call('/api/friend/search?keyword=%25', { token: bob.token });
  expect(wildcard.body.data.users).toEqual([]);

  const badLimit = await call(`/api/friend/search?keyword=a&limit=500`, { token: bob.token });
  expect(badLimit).toHaveStatus(400);
  expect(badLimit.body.details).toEqual([{ field: 'limit', message: '须为 1 到 50 之间的整数' }]);

  const removed = await call('/api/friend/remove', {
    token: bob.token,
    body: { friend_id: alice.id },
  });
  expect(removed).toHaveStatus(200);
  expect(removed.body.data).toEqual({ friend_id: alice.id });

  const removedAgain = await call('/api/friend/remove', {
    token: bob.token,
    body: { friend_id: alice.id },
  });
  expect(removedAgain).toHaveStatus(404);
  expect(removedAgain.body.code).toBe('FRIEND_NOT_FOUND');

  const aliceAfter = await call('/api/friend/list', { token: alice.token });
  expect(aliceAfter.body.data.friends.map((friend: { id: number }) => friend.id)).toEqual([
    zhang.id,
  ]);

  const noToken = await call('/api/friend/list');
  expect(noToken).toHaveStatus(401);
});

it('keeps one friendship when two people add each other at the same moment', async () => {
  for (let round = 0; round < 3; round += 1) {
    const a = await signUp(api(), `race_a${round}_${t}`);
    const b = await signUp(api(), `race_b${round}_${t}`);
    const results = await Promise.all([
      call('/api/friend/add', { token: a.token, body: { friend_username: b.username } }),
      call('/api/friend/add', { token: b.token, body: { friend_username: a.username } }),
    ]);
    const [first, second] = results.sort((x, y) => x.status - y.status);
    expect(first).toHaveStatus(201);
    expect(second).toHaveStatus(409);
    const list = await call('/api/friend/list', { token: a.token });
    expect(list.body.data.friends.map((friend: { id: number }) => friend.id)).toEqual([b.id]);
  }
});

it('pages the friend list with limit and next_cursor over HTTP', async () => {
  const owner = await signUp(api(), `pager_${t}`);
  const names = [`pc_${t}`, `Pa_${t}`, `pB_${t}`, `pd_${t}`, `Pé_${t}`];
  const ids = new Map<string, number>();
  for (const name of names) {
    const friend = await signUp(api(), name);
    ids.set(name, friend.id);
    const added = await call('/api/friend/add', {
      token: friend.token,
      body: { friend_username: owner.username },
    });
    expect(added).toHaveStatus(201);
  }
  const expected = [`Pa_${t}`, `pB_${t}`, `pc_${t}`, `pd_${t}`, `Pé_${t}`].map((name) =>
    ids.get(name),
  );

  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page = await call(`/api/friend/list?limit=2${query}`, { token: owner.token });
    expect(page).toHaveStatus(200);
    expect(page.body.data.count).toBe(5);
    seen.push(...page.body.data.friends.map((friend: { id: number }) => friend.id));
    cursor = page.body.data.next_cursor;
    pages += 1;
  } while (cursor !== null && pages < 10);
  expect(pages).toBe(3);
  expect(seen).toEqual(expected);

  const badCursor = await call('/api/friend/list?cursor=forged', { token: owner.token });
  expect(badCursor).toHaveStatus(400);
  expect(badCursor.body.code).toBe('VALIDATION_ERROR');
  expect(badCursor.body.details).toEqual([{ field: 'cursor', message: '不是本接口返回的游标' }]);

  const badLimit = await call('/api/friend/list?limit=1001', { token: owner.token });
  expect(badLimit).toHaveStatus(400);
  expect(badLimit.body.details).toEqual([{ field: 'limit', message: '须为 1 到 1000 之间的整数' }]);
});
