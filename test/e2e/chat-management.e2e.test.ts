import { signUp, useOfflineApi } from './client';

/**
 * Chat management over real HTTP, through serverless-offline: recall, block and unblock,
 * and the chat list's pinned, muted and hidden chats. The recall window is 2 s here, so
 * "too late" is reached without touching any clock.
 */
const { api, call } = useOfflineApi({ RECALL_WINDOW_SECONDS: '2' });
const t = Date.now().toString(36);

async function send(from: { token: string }, to: { id: number }, content: string, extra = {}) {
  const response = await call('/api/message/send', {
    token: from.token,
    body: { receiver_id: to.id, content, ...extra },
  });
  expect(response).toHaveStatus(201);
  return response.body.data.message as { id: number; content: string | null };
}

it('recalls within the window, erases the content everywhere, and refuses later or others', async () => {
  const alice = await signUp(api(), `rc_a_${t}`);
  const bob = await signUp(api(), `rc_b_${t}`);
  await call('/api/friend/add', { token: alice.token, body: { friend_username: bob.username } });
  const message = await send(alice, bob, 'oops, wrong chat 🙈', { client_msg_id: 'rc-1' });

  const byReceiver = await call('/api/message/recall', {
    token: bob.token,
    body: { message_id: message.id },
  });
  expect(byReceiver).toAnswer(403, { code: 'NOT_SENDER' });

  const recalled = await call('/api/message/recall', {
    token: alice.token,
    body: { message_id: message.id },
  });
  expect({ status: recalled.status, body: recalled.body }).toMatchObject({
    status: 200,
    body: { data: { message: { id: message.id, content: null, client_msg_id: 'rc-1' } } },
  });
  expect(recalled.body.data.message.recalled_at).toMatch(/Z$/);

  const history = await call(`/api/message/history?friend_id=${alice.id}`, { token: bob.token });
  expect(history.body.data.messages).toEqual([recalled.body.data.message]);
  const replay = await call('/api/message/send', {
    token: alice.token,
    body: { receiver_id: bob.id, content: 'oops, wrong chat 🙈', client_msg_id: 'rc-1' },
  });
  expect(replay).toHaveStatus(200);
  expect(replay.body.data.message.content).toBeNull();

  const late = await send(alice, bob, 'this one stays');
  await new Promise((resolve) => setTimeout(resolve, 2_200));
  const tooLate = await call('/api/message/recall', {
    token: alice.token,
    body: { message_id: late.id },
  });
  expect(tooLate).toAnswer(403, { code: 'RECALL_WINDOW_PASSED' });
});

it('blocks both ways, keeps history, and lets messages through again after unblock', async () => {
  const alice = await signUp(api(), `bl_a_${t}`);
  const bob = await signUp(api(), `bl_b_${t}`);
  const carol = await signUp(api(), `bl_c_${t}`);
  await call('/api/friend/add', { token: alice.token, body: { friend_username: bob.username } });
  await send(bob, alice, 'before the block');

  const blocked = await call('/api/friend/block', {
    token: alice.token,
    body: { user_id: bob.id },
  });
  expect(blocked).toAnswer(200, { data: { user_id: bob.id, blocked: true } });
  for (const [from, to] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    const refused = await call('/api/message/send', {
      token: from.token,
      body: { receiver_id: to.id, content: 'hello?' },
    });
    expect(refused).toAnswer(403, { code: 'BLOCKED' });
  }
  await call('/api/friend/block', { token: carol.token, body: { user_id: alice.id } });
  const add = await call('/api/friend/add', {
    token: alice.token,
    body: { friend_username: carol.username },
  });
  expect(add).toAnswer(403, { code: 'BLOCKED' });

  const list = await call('/api/friend/blocked', { token: alice.token });
  expect(list.body.data.users).toEqual([
    { id: bob.id, username: bob.username, blocked_at: expect.stringMatching(/Z$/) },
  ]);
  const friends = await call('/api/friend/list', { token: alice.token });
  expect(friends.body.data.friends).toEqual([
    expect.objectContaining({ id: bob.id, blocked: true }),
  ]);
  const history = await call(`/api/message/history?friend_id=${bob.id}`, { token: alice.token });
  expect(history.body.data.messages.map((m: { content: string }) => m.content)).toEqual([
    'before the block',
  ]);

  const self = await call('/api/friend/block', { token: alice.token, body: { user_id: alice.id } });
  expect(self.body.code).toBe('CANNOT_BLOCK_SELF');
  const unblocked = await call('/api/friend/unblock', {
    token: alice.token,
    body: { user_id: bob.id },
  });
  expect(unblocked.body.data).toEqual({ user_id: bob.id, blocked: false });
  await send(bob, alice, 'after the unblock');
});

it('pins, mutes and hides chats in the list; a new message brings a hidden chat back', async () => {
  const me = await signUp(api(), `cs_me_${t}`);
  const [bob, carol, dave] = [
    await signUp(api(), `cs_b_${t}`),
    await signUp(api(), `cs_c_${t}`),
    await signUp(api(), `cs_d_${t}`),
  ];
  for (const friend of [bob, carol, dave]) {
    await call('/api/friend/add', { token: me.token, body: { friend_username: friend.username } });
  }
  await send(bob, me, 'b1');
  await send(carol, me, 'c1');
  await send(carol, me, 'c2');
  await send(dave, me, 'd1');

  const settings = (body: Record<string, unknown>) =>
    call('/api/message/chat_settings', { token: me.token, body });
  expect((await settings({ friend_id: bob.id, pinned: true })).body.data).toEqual({
    friend_id: bob.id,
    pinned: true,
    muted: false,
    hidden: false,
  });
  await settings({ friend_id: carol.id, muted: true });
  await settings({ friend_id: dave.id, hidden: true });
  const none = await settings({ friend_id: bob.id });
  expect(none).toAnswer(400, { code: 'VALIDATION_ERROR' });
  const stranger = await signUp(api(), `cs_x_${t}`);
  const missing = await settings({ friend_id: stranger.id, pinned: true });
  expect(missing).toAnswer(404, { code: 'CHAT_NOT_FOUND' });

  const chats = async () => (await call('/api/message/chats', { token: me.token })).body.data;
  const list = await chats();
  expect(
    list.chats.map(
      (chat: { friend: { id: number }; unread_count: number; pinned: boolean; muted: boolean }) => [
        chat.friend.id,
        chat.unread_count,
        chat.pinned,
        chat.muted,
      ],
    ),
  ).toEqual([
    [bob.id, 1, true, false],
    [carol.id, 2, false, true],
  ]);
  // Dave's hidden chat (1 unread) still counts; Carol's muted one does not.
  expect(list.total_unread).toBe(2);

  await send(me, dave, 'back again');
  const after = await chats();
  expect(after.chats.map((chat: { friend: { id: number } }) => chat.friend.id)).toEqual([
    bob.id,
    dave.id,
    carol.id,
  ]);
});
