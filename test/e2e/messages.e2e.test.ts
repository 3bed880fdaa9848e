import { signUp, useOfflineApi } from './client';

/** The message endpoints over real HTTP, through serverless-offline. */
const { api, call } = useOfflineApi();
const t = Date.now().toString(36);

it('sends, pages, lists chats, reads the last message and marks read', async () => {
  const alice = await signUp(api(), `alice_${t}`);
  const bob = await signUp(api(), `bob_${t}`);
  const stranger = await signUp(api(), `eve_${t}`);
  await call('/api/friend/add', { token: alice.token, body: { friend_username: bob.username } });

  const notFriends = await call('/api/message/send', {
    token: stranger.token,
    body: { receiver_id: alice.id, content: 'hi' },
  });
  expect(notFriends).toHaveStatus(403);
  expect(notFriends.body.code).toBe('NOT_FRIENDS');

  const content = 'Hello 👋 世界 𠜎 — "quoted" \\ 100%';
  const sent = await call('/api/message/send', {
    token: alice.token,
    body: { receiver_id: String(bob.id), content, client_msg_id: 'm-1' },
  });
  expect(sent).toHaveStatus(201);
  expect(sent.body.data.message).toMatchObject({
    sender_id: alice.id,
    receiver_id: bob.id,
    content,
    message_type: 'text',
    is_read: false,
    read_at: null,
    client_msg_id: 'm-1',
  });

  const retry = await call('/api/message/send', {
    token: alice.token,
    body: { receiver_id: bob.id, content, client_msg_id: 'm-1' },
  });
  expect(retry).toHaveStatus(200);
  expect(retry.body.data.message.id).toBe(sent.body.data.message.id);

  for (let index = 0; index < 24; index += 1) {
    const [from, to] = index % 3 === 0 ? [bob, alice] : [alice, bob];
    const response = await call('/api/message/send', {
      token: from.token,
      body: { receiver_id: to.id, content: `n${index}` },
    });
    expect(response).toHaveStatus(201);
  }

  const first = await call(`/api/message/history?friend_id=${alice.id}&per_page=10`, {
    token: bob.token,
  });
  expect(first).toHaveStatus(200);
  expect(first.body.data).toMatchObject({ page: 1, per_page: 10, total: 25, has_more: true });
  const firstIds = first.body.data.messages.map((message: { id: number }) => message.id);
  expect(firstIds).toEqual([...firstIds].sort((a, b) => a - b));
  expect(first.body.data.messages.at(-1).content).toBe('n23');

  const older = await call(
    `/api/message/history?friend_id=${alice.id}&per_page=10&before_id=${firstIds[0]}`,
    {
      token: bob.token,
    },
  );
  const second = await call(`/api/message/history?friend_id=${alice.id}&per_page=10&page=2`, {
    token: bob.token,
  });
  expect(older.body.data.messages).toEqual(second.body.data.messages);
  expect(older.body.data.page).toBeNull();

  const third = await call(`/api/message/history?friend_id=${alice.id}&per_page=10&page=3`, {
    token: bob.token,
  });
  expect(third.body.data.messages[0].content).toBe(content);
  expect(third.body.data.has_more).toBe(false);

  const chats = await call('/api/message/chats', { token: bob.token });
  expect(chats).toHaveStatus(200);
  expect(chats.body.data.total_unread).toBe(17);
  expect(chats.body.data.chats).toEqual([
    {
      friend: { id: alice.id, username: alice.username },
      last_message: expect.objectContaining({ content: 'n23' }),
      unread_count: 17,
      is_friend: true,
      pinned: false,
      muted: false,
    },
  ]);

  const lastMessage = await call(`/api/message/last?friend_id=${bob.id}`, { token: alice.token });
  expect(lastMessage.body.data.message.content).toBe('n23');

  const marked = await call('/api/message/mark_read', {
    token: bob.token,
    body: { sender_id: alice.id },
  });
  expect(marked).toHaveStatus(200);
  expect(marked.body.data).toEqual({ sender_id: alice.id, updated: 17 });
  const markedAgain = await call('/api/message/mark_read', {
    token: bob.token,
    body: { sender_id: alice.id },
  });
  expect(markedAgain.body.data.updated).toBe(0);

  const afterRead = await call('/api/message/chats', { token: bob.token });
  expect(afterRead.body.data.total_unread).toBe(0);

  await call('/api/friend/remove', { token: bob.token, body: { friend_id: alice.id } });
  const afterUnfriend = await call('/api/message/chats', { token: alice.token });
  expect(afterUnfriend.body.data.chats[0].is_friend).toBe(false);
  const blocked = await call('/api/message/send', {
    token: alice.token,
    body: { receiver_id: bob.id, content: 'x' },
  });
  expect(blocked).toHaveStatus(403);
  const kept = await call(`/api/message/history?friend_id=${bob.id}`, { token: alice.token });
  expect(kept.body.data.total).toBe(25);

  const invalid = await call('/api/message/history?friend_id=abc&per_page=1000', {
    token: alice.token,
  });
  expect(invalid).toHaveStatus(400);
  expect(invalid.body.details.map((detail: { field: string }) => detail.field).sort()).toEqual([
    'friend_id',
    'per_page',
  ]);
});

it('accepts 30 parallel sends over HTTP without losing any', async () => {
  const a = await signUp(api(), `pa_${t}`);
  const b = await signUp(api(), `pb_${t}`);
  await call('/api/friend/add', { token: a.token, body: { friend_username: b.username } });
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, index) =>
      call('/api/message/send', {
        token: a.token,
        body: { receiver_id: b.id, content: `p${index}` },
      }),
    ),
  );
  for (const result of results) expect(result).toHaveStatus(201);
  const page = await call(`/api/message/history?friend_id=${a.id}&per_page=100`, {
    token: b.token,
  });
  expect(page.body.data.total).toBe(30);
  expect(page.body.data.messages).toHaveLength(30);
  const chats = await call('/api/message/chats', { token: b.token });
  expect(chats.body.data.total_unread).toBe(30);
});
