import * as z from 'zod';
import type { MessageRow } from '../db/schema';
import { errorStatus, unauthorizedReasons, type ErrorCode } from '../errors';

/**
 * The objects the API answers with, as zod schemas: the one definition of each. The TS types
 * in lib/ (PublicUser, Message, Friend…) are inferred from them, and the API reference
 * (OpenAPI and AsyncAPI, lib/api/openapi.ts and asyncapi.ts) is generated from them, so the
 * code, its types and its documentation cannot disagree. Nothing here validates at run time.
 */

/** A row id. */
const id = z.int().min(1);
/** How the API writes every time: ISO-8601, UTC, with milliseconds. */
const timestamp = z.iso.datetime({ precision: 3 });
const count = z.int().min(0);

export const PublicUser = z
  .object({ id, username: z.string(), created_at: timestamp })
  .meta({ description: 'A user as anyone may see them.' });
export type PublicUser = z.output<typeof PublicUser>;

export const SelfUser = PublicUser.extend({
  email: z.string().meta({ description: 'Lower-cased; never shown to anyone else.' }),
}).meta({ description: 'A user as they see themselves.' });
export type SelfUser = z.output<typeof SelfUser>;

export const Friend = PublicUser.extend({
  since: timestamp.meta({ description: 'When the friendship began.' }),
}).meta({ description: 'A friend: public fields and when the friendship began.' });
export type Friend = z.output<typeof Friend>;

export const FriendEntry = Friend.extend({
  blocked: z.boolean().meta({ description: 'Whether the caller blocks this friend.' }),
}).meta({ description: 'A friend list entry.' });
export type FriendEntry = z.output<typeof FriendEntry>;

export const UserSearchResult = z
  .object({
    id,
    username: z.string(),
    is_friend: z.boolean().meta({ description: "Whether this user is the caller's friend." }),
  })
  .meta({ description: 'A user found by search.' });
export type UserSearchResult = z.output<typeof UserSearchResult>;

export const BlockedUser = z
  .object({ id, username: z.string(), blocked_at: timestamp })
  .meta({ description: 'Someone the caller blocks.' });
export type BlockedUser = z.output<typeof BlockedUser>;

export const messageTypes = [
  'text',
  'image',
  'file',
] as const satisfies readonly MessageRow['message_type'][];

export const Message = z
  .object({
    id,
    sender_id: id,
    receiver_id: id,
    content: z.string().nullable().meta({ description: 'Null once recalled.' }),
    message_type: z
      .enum(messageTypes)
      .meta({ description: '`image` and `file`: `content` is a URL or a storage key.' }),
    is_read: z.boolean(),
    read_at: timestamp.nullable(),
    created_at: timestamp,
    client_msg_id: z
      .string()
      .nullable()
      .meta({ description: "The sender's idempotency key, if it gave one." }),
    recalled_at: timestamp
      .nullable()
      .meta({ description: 'When its sender recalled it (then `content` is null).' }),
  })
  .meta({ description: 'A message.' });
export type Message = z.output<typeof Message>;

export const ChatEntry = z
  .object({
    friend: z.object({ id, username: z.string() }).meta({ description: 'The other user.' }),
    last_message: Message,
    unread_count: count.meta({ description: 'Unread messages from that user (muted or not).' }),
    is_friend: z.boolean().meta({ description: 'False once unfriended: the chat stays.' }),
    pinned: z.boolean(),
    muted: z.boolean(),
  })
  .meta({ description: 'One chat of the chat list.' });
export type ChatEntry = z.output<typeof ChatEntry>;

export const ChatList = z.object({
  chats: z.array(ChatEntry).meta({
    description: 'Pinned chats first, then by newest last message; hidden chats left out.',
  }),
  total_unread: count.meta({
    description: "Unread messages of all the caller's chats (listed or not), muted chats excepted.",
  }),
});
export type ChatList = z.output<typeof ChatList>;

export const HistoryPage = z.object({
  messages: z.array(Message).meta({ description: 'Ascending by id.' }),
  page: z.int().min(1).nullable().meta({ description: 'Null when `before_id` was given.' }),
  per_page: z.int().min(1),
  total: count.meta({ description: 'Messages in the conversation.' }),
  has_more: z.boolean().meta({ description: 'Whether older messages remain.' }),
});
export type HistoryPage = z.output<typeof HistoryPage>;

export const MessageUpdates = z.object({
  messages: z.array(Message).meta({ description: 'Ascending by id, all conversations together.' }),
  has_more: z.boolean().meta({
    description: 'While true, call again with `after_id` = the last id received.',
  }),
});
export type MessageUpdates = z.output<typeof MessageUpdates>;

export const ChatSettings = z.object({
  pinned: z.boolean().meta({ description: 'Pinned chats come first in the chat list.' }),
  muted: z.boolean().meta({ description: 'A muted chat is left out of `total_unread`.' }),
  hidden: z.boolean().meta({
    description: 'Out of the chat list until a new message in it, from either side.',
  }),
});
export type ChatSettings = z.output<typeof ChatSettings>;

export const AccessToken = z.object({
  access_token: z.string().meta({ description: 'A JWT: send it as `Authorization: Bearer …`.' }),
  token_type: z.literal('Bearer'),
  expires_in: z.int().min(1).meta({ description: 'Seconds the access token is valid.' }),
});
export type AccessToken = z.output<typeof AccessToken>;

export const TokenPair = AccessToken.extend({
  refresh_token: z.string().meta({
    description: 'Works once, at POST /api/auth/refresh, which answers a new pair.',
  }),
  refresh_expires_in: z.int().min(1).meta({ description: 'Seconds the refresh token is valid.' }),
}).meta({ description: 'An access token and the refresh token that renews it.' });
export type TokenPair = z.output<typeof TokenPair>;

export const FieldProblem = z.object({
  field: z.string().meta({ description: 'The field (dotted path), or `body` / `query`.' }),
  message: z.string().meta({ description: "What is wrong, in the response's language." }),
});
export type FieldProblem = z.output<typeof FieldProblem>;

export const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];

export const ErrorBody = z
  .object({
    error: z.string().meta({
      description: 'A human text: Chinese by default, English when Accept-Language prefers `en`.',
    }),
    code: z.enum(errorCodes).meta({ description: 'Stable: clients branch on it.' }),
    details: z
      .array(FieldProblem)
      .optional()
      .meta({ description: 'VALIDATION_ERROR: every problem, field by field.' }),
    reason: z.enum(unauthorizedReasons).optional().meta({
      description:
        'UNAUTHORIZED: `token_expired` (the access token merely expired: refresh it), `invalid_token` (sign in again) or `missing_token` (no bearer token was sent).',
    }),
  })
  .meta({ description: 'Every error answer.' });
export type ErrorBody = z.output<typeof ErrorBody>;

/** The objects the reference names (its `components.schemas`), by name. */
export const apiComponents = {
  User: PublicUser,
  SelfUser,
  Friend,
  FriendEntry,
  UserSearchResult,
  BlockedUser,
  Message,
  ChatEntry,
  ChatList,
  HistoryPage,
  MessageUpdates,
  ChatSettings,
  TokenPair,
  FieldProblem,
  Error: ErrorBody,
} as const satisfies Record<string, z.ZodType>;
