import type { ServerEvent, ServerEventType } from '../realtime/events';
import type {
  BlockedUser,
  ChatEntry,
  Friend,
  Message,
  PublicUser,
  SelfUser,
  TokenPair,
} from './schemas';

/**
 * Example values for the API reference: the caller 张三 (id 1) and their friend Bob (id 2).
 * Typed by the API's own types, and checked against the schemas by the reference's tests.
 */

const bob: PublicUser = { id: 2, username: 'Bob', created_at: '2026-11-24T08:00:00.000Z' };

const self: SelfUser = {
  id: 1,
  username: '张三',
  created_at: '2026-11-24T07:58:12.345Z',
  email: 'zhang@example.com',
};

const tokens: TokenPair = {
  access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'Jc7n0y3xQm1sV9dK2pLr8tWb5uYe4aZh6fGi0oNq',
  refresh_expires_in: 2592000,
};

const friend: Friend = { ...bob, since: '2026-11-24T08:15:30.123Z' };

const message: Message = {
  id: 41,
  sender_id: 1,
  receiver_id: 2,
  content: 'Hello 👋',
  message_type: 'text',
  is_read: false,
  read_at: null,
  created_at: '2026-11-24T08:15:30.123Z',
  client_msg_id: '3f1c-0001',
  recalled_at: null,
};

const reply: Message = {
  id: 42,
  sender_id: 2,
  receiver_id: 1,
  content: '你好',
  message_type: 'text',
  is_read: false,
  read_at: null,
  created_at: '2026-11-24T08:16:02.001Z',
  client_msg_id: null,
  recalled_at: null,
};

const chat: ChatEntry = {
  friend: { id: bob.id, username: bob.username },
  last_message: reply,
  unread_count: 1,
  is_friend: true,
  pinned: false,
  muted: false,
};

const blocked: BlockedUser = {
  id: bob.id,
  username: bob.username,
  blocked_at: '2026-11-24T09:00:00.000Z',
};

export const examples = { bob, self, tokens, friend, message, reply, chat, blocked } as const;

/** One example of each server event, as 张三 (id 1) receives them. */
export const eventExamples: { [K in ServerEventType]: Extract<ServerEvent, { type: K }> } = {
  'message.new': { type: 'message.new', data: { message: reply } },
  'message.read': {
    type: 'message.read',
    data: {
      reader_id: bob.id,
      sender_id: self.id,
      up_to_id: message.id,
      read_at: '2026-11-24T08:16:09.250Z',
      updated: 1,
    },
  },
  'message.recalled': {
    type: 'message.recalled',
    data: { message: { ...reply, content: null, recalled_at: '2026-11-24T08:16:30.000Z' } },
  },
  typing: { type: 'typing', data: { from: bob.id, state: 'start' } },
  'friend.added': { type: 'friend.added', data: { friend } },
  'friend.removed': { type: 'friend.removed', data: { friend_id: bob.id } },
  pong: { type: 'pong', data: {} },
  error: { type: 'error', data: { error: '对方不是你的好友', code: 'NOT_FRIENDS' } },
};
