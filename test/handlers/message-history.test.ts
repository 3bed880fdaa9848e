import { handler as remove } from '../../functions/friend/remove';
import { handler as history } from '../../functions/message/history';
import { handler as last } from '../../functions/message/last';
import { befriend, registerFriends, countUnread, sendMany, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';

async function page(user: TestUser, query: Record<string, string>) {
  const response = await invoke(history, { token: user.token, query });
  expect(response.status).toBe(200);
  return response.body.data;
}

const idsOf = (data: { messages: { id: number }[] }) => data.messages.map((message) => message.id);

describe('GET /api/message/history', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let ids: number[];

  beforeAll(async () => {
    alice = await registerUser();
    bob = await registerUser();
    carol = await registerUser();
    await befriend(alice, bob);
    await befriend(alice, carol);
    // 45 messages alternating direction, with a conversation with carol mixed in.
    ids = [];
    for (let index = 0; index < 45; index += 1) {
      const [from, to] = index % 2 === 0 ? [alice, bob] : [bob, alice];
      const response = await sendMessage(from, to, `message ${index}`);
      ids.push(response.body.data.message.id);
      if (index % 10 === 0) await sendMessage(carol, alice, `carol ${index}`);
    }
  });

  it('answers an empty page for a conversation without messages', async () => {
    const dave = await registerUser();
    expect(await page(alice, { friend_id: String(dave.id) })).toEqual({
      messages: [],
      page: 1,
      per_page: 20,
      total: 0,
      has_more: false,
    });
  });

  it('gives the newest page first, ascending inside the page', async () => {
    const first = await page(alice, { friend_id: String(bob.id) });
    expect(first).toMatchObject({ page: 1, per_page: 20, total: 45, has_more: true });
    expect(idsOf(first)).toEqual(ids.slice(25, 45));
    expect(first.messages[19]).toEqual({
      id: ids[44],
      sender_id: alice.id,
      receiver_id: bob.id,
      content: 'message 44',
      message_type: 'text',
      is_read: false,
      read_at: null,
      created_at: expect.any(String),
      client_msg_id: null,
      recalled_at: null,
    });

    const second = await page(alice, { friend_id: String(bob.id), page: '2' });
    expect(idsOf(second)).toEqual(ids.slice(5, 25));
    expect(second.has_more).toBe(true);

    const third = await page(alice, { friend_id: String(bob.id), page: '3' });
    expect(idsOf(third)).toEqual(ids.slice(0, 5));
    expect(third).toMatchObject({ page: 3, has_more: false, total: 45 });

    const beyond = await page(alice, { friend_id: String(bob.id), page: '4' });
    expect(beyond).toMatchObject({ messages: [], page: 4, has_more: false, total: 45 });
  });

  it('shows both sides the same conversation', async () => {
    const fromBob = await page(bob, { friend_id: String(alice.id), per_page: '100' });
    expect(idsOf(fromBob)).toEqual(ids);
  });

  it('pages with the before_id cursor exactly like page numbers', async () => {
    const perPage = '7';
    let cursor: number | undefined;
    const seen: number[] = [];
    for (let pageNumber = 1; pageNumber <= 7; pageNumber += 1) {
      const byPage = await page(alice, {
        friend_id: String(bob.id),
        per_page: perPage,
        page: String(pageNumber),
      });
      const byCursor = await page(alice, {
        friend_id: String(bob.id),
        per_page: perPage,
        ...(cursor === undefined ? {} : { before_id: String(cursor) }),
      });
      expect(idsOf(byCursor)).toEqual(idsOf(byPage));
      expect(byCursor.has_more).toBe(byPage.has_more);
      if (cursor !== undefined) expect(byCursor.page).toBeNull();
      seen.unshift(...idsOf(byCursor));
      cursor = byCursor.messages[0]?.id;
    }
    expect(seen).toEqual(ids);
  });

  it('handles cursor boundaries', async () => {
    const atOldest = await page(alice, { friend_id: String(bob.id), before_id: String(ids[0]) });
    expect(atOldest).toMatchObject({ messages: [], has_more: false, page: null });
    const justAbove = await page(alice, { friend_id: String(bob.id), before_id: String(ids[1]) });
    expect(idsOf(justAbove)).toEqual([ids[0]]);
    const huge = await page(alice, {
      friend_id: String(bob.id),
      before_id: '9007199254740991',
      per_page: '3',
    });
    expect(idsOf(huge)).toEqual(ids.slice(42));
    const exact = await page(alice, {
      friend_id: String(bob.id),
      before_id: String(ids[20]),
      per_page: '20',
    });
    expect(idsOf(exact)).toEqual(ids.slice(0, 20));
    expect(exact.has_more).toBe(false);
  });

  it('never shows messages of other conversations', async () => {
    const withCarol = await page(alice, { friend_id: String(carol.id), per_page: '100' });
    expect(withCarol.total).toBe(5);
    expect(
      withCarol.messages.every((message: { content: string }) =>
        message.content.startsWith('carol'),
      ),
    ).toBe(true);
    const bobAndCarol = await page(bob, { friend_id: String(carol.id) });
    expect(bobAndCarol).toMatchObject({ messages: [], total: 0 });
  });

  it('does not mark anything read', async () => {
    const before = await countUnread(bob.id, alice.id);
    await page(bob, { friend_id: String(alice.id), per_page: '100' });
    expect(await countUnread(bob.id, alice.id)).toBe(before);
    expect(before).toBe(23);
  });

  it('keeps the history after unfriending', async () => {
    const [dave, erin] = await registerFriends();
    const sent = await sendMany(dave, erin, 3);
    await invoke(remove, { token: dave.token, body: { friend_id: erin.id } });
    expect(idsOf(await page(erin, { friend_id: String(dave.id) }))).toEqual(sent);
  });

  it.each([
    ['no friend_id', {}, 'friend_id'],
    ['friend_id abc', { friend_id: 'abc' }, 'friend_id'],
    ['page 0', { friend_id: '1', page: '0' }, 'page'],
    ['per_page 0', { friend_id: '1', per_page: '0' }, 'per_page'],
    ['per_page 101', { friend_id: '1', per_page: '101' }, 'per_page'],
    ['before_id -5', { friend_id: '1', before_id: '-5' }, 'before_id'],
    ['before_id 0', { friend_id: '1', before_id: '0' }, 'before_id'],
  ])('answers 400 for %s', async (_, query, field) => {
    const response = await invoke(history, { token: alice.token, query });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.details.map((detail: { field: string }) => detail.field)).toEqual([field]);
  });

  it('answers 404 USER_NOT_FOUND for an unknown user', async () => {
    const response = await invoke(history, {
      token: alice.token,
      query: { friend_id: '99999999' },
    });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('USER_NOT_FOUND');
  });
});

describe('GET /api/message/last', () => {
  it('answers null before any message, then the newest one from either side', async () => {
    const [alice, bob] = await registerFriends();
    const empty = await invoke(last, { token: alice.token, query: { friend_id: String(bob.id) } });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ message: '获取最后一条消息成功', data: { message: null } });

    await sendMessage(alice, bob, 'first');
    const reply = await sendMessage(bob, alice, 'second 🎉');
    for (const [user, peer] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const response = await invoke(last, {
        token: user.token,
        query: { friend_id: String(peer.id) },
      });
      expect(response.body.data.message).toEqual(reply.body.data.message);
    }
  });

  it('answers 404 for an unknown user and 400 for a bad id', async () => {
    const alice = await registerUser();
    const unknown = await invoke(last, { token: alice.token, query: { friend_id: '99999999' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
    const bad = await invoke(last, { token: alice.token, query: { friend_id: '1.5' } });
    expect(bad.status).toBe(400);
  });
});
