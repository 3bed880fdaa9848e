import { handler as remove } from '../../functions/friend/remove';
import { getDb } from '../../lib/db/connection';
import { conversationRow, registerFriends, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import { registerUser, type TestUser } from '../helpers/users';

async function messageRow(id: number) {
  const db = await getDb();
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

async function messagesFrom(senderId: number) {
  const db = await getDb();
  return db.selectFrom('messages').selectAll().where('sender_id', '=', senderId).execute();
}

describe('POST /api/message/send', () => {
  let alice: TestUser;
  let bob: TestUser;
  beforeEach(async () => {
    [alice, bob] = await registerFriends();
  });

  it('stores the message, answers 201 with it and updates both chat lists', async () => {
    const response = await sendMessage(alice, bob, 'Hello, Bob!');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      message: '消息发送成功',
      data: {
        message: {
          id: expect.any(Number),
          sender_id: alice.id,
          receiver_id: bob.id,
          content: 'Hello, Bob!',
          message_type: 'text',
          is_read: false,
          read_at: null,
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          client_msg_id: null,
          recalled_at: null,
        },
      },
    });
    const id = response.body.data.message.id;
    expect(await messageRow(id)).toMatchObject({
      sender_id: alice.id,
      receiver_id: bob.id,
      is_read: 0,
    });
    expect(await conversationRow(alice.id, bob.id)).toMatchObject({
      last_message_id: id,
      unread_count: 0,
      message_count: 1,
    });
    expect(await conversationRow(bob.id, alice.id)).toMatchObject({
      last_message_id: id,
      unread_count: 1,
      message_count: 1,
    });
  });

  it.each([
    ['emoji and 4-byte characters', '😀👨‍👩‍👧‍👦 𠜎𠜱 🇨🇳'],
    ['surrounding whitespace and newlines', '  line one\n\tline two  \n'],
    ['SQL', "'); DROP TABLE messages; --"],
    ['LIKE and escape characters', '100% _done_ \\ ! \\%'],
    ['HTML', '<script>alert("x")</script>'],
    ['5000 emoji', '😀'.repeat(5000)],
    ['a JSON-looking string', '{"content": null}'],
  ])('stores %s exactly as sent', async (_, content) => {
    const response = await sendMessage(alice, bob, content);
    expect(response.status).toBe(201);
    expect(response.body.data.message.content).toBe(content);
    expect((await messageRow(response.body.data.message.id))?.content).toBe(content);
  });

  it.each(['image', 'file'])('accepts message_type %s', async (messageType) => {
    const response = await sendMessage(alice, bob, 'uploads/2026/cat.png', {
      message_type: messageType,
    });
    expect(response.status).toBe(201);
    expect(response.body.data.message.message_type).toBe(messageType);
  });

  it('treats a null message_type as text', async () => {
    const response = await sendMessage(alice, bob, 'hi', { message_type: null });
    expect(response.status).toBe(201);
    expect(response.body.data.message.message_type).toBe('text');
  });

  it('accepts the receiver id as a string of digits', async () => {
    const response = await sendMessage(alice, bob, 'hi', { receiver_id: String(bob.id) });
    expect(response.status).toBe(201);
    expect(response.body.data.message.receiver_id).toBe(bob.id);
  });

  it.each([
    ['empty content', { content: '' }, 'content', '不能为空'],
    ['blank content', { content: ' \n\t ' }, 'content', '不能为空'],
    [
      'content over 5000 characters',
      { content: 'a'.repeat(5001) },
      'content',
      '长度须为 1-5000 个字符',
    ],
    [
      'a lone surrogate',
      { content: 'bad \ud800 text' },
      'content',
      '包含无效的 Unicode 字符（孤立代理项）',
    ],
    ['numeric content', { content: 42 }, 'content', expect.any(String)],
    [
      'an unknown type',
      { message_type: 'video' },
      'message_type',
      '须为以下之一：text, image, file',
    ],
    [
      'a long client_msg_id',
      { client_msg_id: 'k'.repeat(65) },
      'client_msg_id',
      '长度须为 1-64 个字符',
    ],
    ['a blank client_msg_id', { client_msg_id: '  ' }, 'client_msg_id', '不能为空'],
    [
      'a client_msg_id ending in a space',
      { client_msg_id: 'k1 ' },
      'client_msg_id',
      '首尾不能有空白字符',
    ],
    ['receiver_id 0', { receiver_id: 0 }, 'receiver_id', '必须是正整数'],
    ['receiver_id "1; DROP"', { receiver_id: '1; DROP' }, 'receiver_id', '必须是正整数'],
  ])('answers 400 VALIDATION_ERROR for %s and stores nothing', async (_, extra, field, message) => {
    const response = await sendMessage(alice, bob, 'hello', extra);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.details).toEqual([{ field, message }]);
    expect(await messagesFrom(alice.id)).toEqual([]);
  });

  it('answers 403 NOT_FRIENDS to a stranger and after unfriending', async () => {
    const stranger = await registerUser();
    const toStranger = await sendMessage(alice, stranger, 'hi');
    expect(toStranger.status).toBe(403);
    expect(toStranger.body).toEqual({ error: '对方不是你的好友', code: 'NOT_FRIENDS' });

    await invoke(remove, { token: bob.token, body: { friend_id: alice.id } });
    const afterRemoval = await sendMessage(alice, bob, 'still there?');
    expect(afterRemoval.status).toBe(403);
    expect(afterRemoval.body.code).toBe('NOT_FRIENDS');
    expect(await messagesFrom(alice.id)).toEqual([]);
  });

  it('answers 404 USER_NOT_FOUND for an unknown receiver', async () => {
    const response = await sendMessage(alice, 99999999, 'hi');
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('USER_NOT_FOUND');
  });

  it('answers 400 CANNOT_MESSAGE_SELF', async () => {
    const response = await sendMessage(alice, alice, 'note to self');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('CANNOT_MESSAGE_SELF');
  });

  it('requires a token', async () => {
    const response = await invoke((await import('../../functions/message/send')).handler, {
      body: { receiver_id: bob.id, content: 'hi' },
    });
    expect(response.status).toBe(401);
  });

  describe('client_msg_id', () => {
    it('returns the original message with 200 on a repeat and creates nothing', async () => {
      const first = await sendMessage(alice, bob, 'once', { client_msg_id: 'key-1' });
      const repeat = await sendMessage(alice, bob, 'once', { client_msg_id: 'key-1' });
      expect(first.status).toBe(201);
      expect(first.body.data.message.client_msg_id).toBe('key-1');
      expect(repeat.status).toBe(200);
      expect(repeat.body.message).toBe('消息已发送（重复请求）');
      expect(repeat.body.data.message).toEqual(first.body.data.message);
      expect(await messagesFrom(alice.id)).toHaveLength(1);
      expect(await conversationRow(bob.id, alice.id)).toMatchObject({
        unread_count: 1,
        message_count: 1,
      });
    });

    it('is per sender: the same key from two senders makes two messages', async () => {
      const fromAlice = await sendMessage(alice, bob, 'a', { client_msg_id: 'shared' });
      const fromBob = await sendMessage(bob, alice, 'b', { client_msg_id: 'shared' });
      expect(fromAlice.status).toBe(201);
      expect(fromBob.status).toBe(201);
      expect(fromBob.body.data.message.id).not.toBe(fromAlice.body.data.message.id);
    });

    it('treats null as no key', async () => {
      const first = await sendMessage(alice, bob, 'x', { client_msg_id: null });
      const second = await sendMessage(alice, bob, 'x', { client_msg_id: null });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(await messagesFrom(alice.id)).toHaveLength(2);
    });

    it('still returns the original after unfriending, as the first send succeeded', async () => {
      const first = await sendMessage(alice, bob, 'before', { client_msg_id: 'retry-me' });
      await invoke(remove, { token: alice.token, body: { friend_id: bob.id } });
      const retry = await sendMessage(alice, bob, 'before', { client_msg_id: 'retry-me' });
      expect(retry.status).toBe(200);
      expect(retry.body.data.message.id).toBe(first.body.data.message.id);
    });
  });
});
