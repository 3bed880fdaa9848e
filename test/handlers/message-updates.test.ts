import fc from 'fast-check';
import { handler as markRead } from '../../functions/message/mark-read';
import { handler as updates } from '../../functions/message/updates';
import { befriend, registerFriends, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';

/**
 * GET /api/message/updates: catch-up after a reconnect. Every message the caller sent or
 * received after an id, ascending, in pages that together hold each message exactly once;
 * nobody else's messages, whatever the query.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- messages as the API returned them
type ApiMessage = any;

function getUpdates(user: TestUser, query: Record<string, string>) {
  return invoke(updates, { token: user.token, query });
}

/** Pages through updates after `afterId` with `limit`; returns every page's body. */
async function allPages(user: TestUser, afterId: number, limit: number) {
  const pages: { messages: ApiMessage[]; has_more: boolean }[] = [];
  let cursor = afterId;
  for (;;) {
    const response = await getUpdates(user, { after_id: String(cursor), limit: String(limit) });
    expect(response.status).toBe(200);
    pages.push(response.body.data);
    const { messages, has_more } = response.body.data;
    if (!has_more) return pages;
    expect(messages).toHaveLength(limit);
    cursor = messages[messages.length - 1].id;
    if (pages.length > 1000) throw new Error('paging does not end');
  }
}

let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
/** Every message sent in this file's fixture, as send answered, in the order sent. */
const sent: ApiMessage[] = [];
const involving = (user: TestUser) =>
  sent.filter((message) => message.sender_id === user.id || message.receiver_id === user.id);

async function send(from: TestUser, to: TestUser, content: string): Promise<ApiMessage> {
  const response = await sendMessage(from, to, content);
  expect(response.status).toBe(201);
  sent.push(response.body.data.message);
  return response.body.data.message;
}

beforeAll(async () => {
  [alice, bob] = await registerFriends();
  carol = await registerUser();
  dave = await registerUser();
  await befriend(alice, carol);
  await befriend(bob, dave);
  await befriend(carol, dave);
  // Alice's conversations with two peers, both directions, interleaved with messages
  // between other users (which she must never see).
  const script: [TestUser, TestUser][] = [
    [alice, bob],
    [bob, dave],
    [bob, alice],
    [alice, carol],
    [carol, dave],
    [carol, alice],
    [dave, bob],
    [alice, bob],
    [alice, bob],
    [dave, carol],
    [carol, alice],
    [bob, alice],
    [alice, carol],
    [bob, dave],
  ];
  for (const [index, [from, to]] of script.entries()) await send(from, to, `m${index}`);
});

describe('GET /api/message/updates', () => {
  it('answers every message the caller sent or received, ascending, and nobody else’s', async () => {
    const response = await getUpdates(alice, { after_id: '0' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '获取新消息成功',
      data: { messages: involving(alice), has_more: false },
    });
    expect(involving(alice)).toHaveLength(9);
    const ids = response.body.data.messages.map((message: ApiMessage) => message.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // Dave only ever talked to Bob and Carol.
    const daves = await getUpdates(dave, { after_id: '0' });
    expect(daves.body.data.messages).toEqual(involving(dave));
    expect(daves.body.data.messages.length).toBeGreaterThan(0);
  });

  it('answers only messages after after_id', async () => {
    const mine = involving(alice);
    const pivot = mine[4].id;
    const response = await getUpdates(alice, { after_id: String(pivot) });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ messages: mine.slice(5), has_more: false });

    // An id that is not Alice's (a message between others) works as a cursor too.
    const others = sent.find(
      (message) => message.sender_id === bob.id && message.receiver_id === dave.id,
    );
    const afterOthers = await getUpdates(alice, { after_id: String(others.id) });
    expect(afterOthers.body.data.messages).toEqual(
      mine.filter((message: ApiMessage) => message.id > others.id),
    );

    const last = sent[sent.length - 1].id;
    const nothing = await getUpdates(alice, { after_id: String(last) });
    expect(nothing.body.data).toEqual({ messages: [], has_more: false });
    const farAway = await getUpdates(alice, { after_id: '9999999999999999' });
    expect(farAway.body.data).toEqual({ messages: [], has_more: false });
  });

  it.each([1, 2, 3, 4, 9, 10, 11])(
    'pages of %i hold every message once, has_more until the last',
    async (limit) => {
      const pages = await allPages(alice, 0, limit);
      const mine = involving(alice);
      expect(pages.flatMap((page) => page.messages)).toEqual(mine);
      // has_more is true exactly on every page but the last; no empty page when the total
      // is a multiple of the limit.
      expect(pages.map((page) => page.has_more)).toEqual(pages.map((_, i) => i < pages.length - 1));
      expect(pages).toHaveLength(Math.max(1, Math.ceil(mine.length / limit)));
    },
  );

  it('any after_id and limit give the model’s answer (property)', async () => {
    const mine = involving(bob);
    const maxId = sent[sent.length - 1].id;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: maxId + 2 }),
        fc.integer({ min: 1, max: 12 }),
        async (afterId, limit) => {
          const response = await getUpdates(bob, {
            after_id: String(afterId),
            limit: String(limit),
          });
          expect(response.status).toBe(200);
          const after = mine.filter((message: ApiMessage) => message.id > afterId);
          expect(response.body.data).toEqual({
            messages: after.slice(0, limit),
            has_more: after.length > limit,
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('shows messages as they are now (read state included)', async () => {
    const [erin, frank] = await registerFriends();
    const first = (await sendMessage(erin, frank, 'one')).body.data.message;
    const second = (await sendMessage(erin, frank, 'two')).body.data.message;
    const marked = await invoke(markRead, {
      token: frank.token,
      body: { sender_id: erin.id, up_to_id: first.id },
    });
    expect(marked.body.data.updated).toBe(1);
    const response = await getUpdates(frank, { after_id: '0' });
    expect(response.body.data.messages).toEqual([
      { ...first, is_read: true, read_at: expect.stringMatching(/^\d{4}-.*Z$/) },
      second,
    ]);
  });

  it('round-trips any Unicode, emoji and rare CJK included', async () => {
    const [erin, frank] = await registerFriends();
    const content = 'emoji 😀👍🏽👨‍👩‍👧 rare 𠜎𠜱 zh 你好, a\ttab';
    const response = await sendMessage(erin, frank, content);
    expect(response.status).toBe(201);
    for (const reader of [erin, frank]) {
      const page = await getUpdates(reader, { after_id: '0' });
      expect(page.body.data.messages).toEqual([response.body.data.message]);
      expect(page.body.data.messages[0].content).toBe(content);
    }
  });

  it('answers an empty page to a user without messages', async () => {
    const loner = await registerUser();
    const response = await getUpdates(loner, { after_id: '0', limit: '500' });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ messages: [], has_more: false });
  });

  it('takes limit 1 to 500, default 100', async () => {
    const [erin, frank] = await registerFriends();
    const ids: number[] = [];
    for (let index = 0; index < 101; index += 1) {
      const response = await sendMessage(erin, frank, `n${index}`);
      ids.push(response.body.data.message.id);
    }
    const byDefault = await getUpdates(frank, { after_id: '0' });
    expect(byDefault.body.data.messages.map((message: ApiMessage) => message.id)).toEqual(
      ids.slice(0, 100),
    );
    expect(byDefault.body.data.has_more).toBe(true);
    const max = await getUpdates(frank, { after_id: '0', limit: '500' });
    expect(max.body.data.messages.map((message: ApiMessage) => message.id)).toEqual(ids);
    expect(max.body.data.has_more).toBe(false);
    const one = await getUpdates(frank, { after_id: String(ids[99]), limit: '1' });
    expect(one.body.data).toEqual({
      messages: [expect.objectContaining({ id: ids[100] })],
      has_more: false,
    });
  });

  it.each([
    ['a missing after_id', {}, 'after_id'],
    ['an empty after_id', { after_id: '' }, 'after_id'],
    ['a negative after_id', { after_id: '-1' }, 'after_id'],
    ['a word', { after_id: 'abc' }, 'after_id'],
    ['a fraction', { after_id: '1.5' }, 'after_id'],
    ['limit 0', { after_id: '0', limit: '0' }, 'limit'],
    ['limit 501', { after_id: '0', limit: '501' }, 'limit'],
    ['a word as limit', { after_id: '0', limit: 'ten' }, 'limit'],
    ['a negative limit', { after_id: '0', limit: '-5' }, 'limit'],
  ])('answers 400 VALIDATION_ERROR for %s', async (_, query, field) => {
    const response = await getUpdates(alice, query as Record<string, string>);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.details.map((detail: { field: string }) => detail.field)).toEqual([field]);
    expect(response.rawBody).not.toContain('m0');
  });

  it('answers 401 without a token, or with a bad one', async () => {
    const without = await invoke(updates, { query: { after_id: '0' } });
    expect(without.status).toBe(401);
    expect(without.body.code).toBe('UNAUTHORIZED');
    expect(without.rawBody).not.toContain('m0');
    const bad = await invoke(updates, { token: 'not.a.token', query: { after_id: '0' } });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('UNAUTHORIZED');
  });
});
