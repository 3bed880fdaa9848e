import type { Generated, Selectable } from 'kysely';

/**
 * The whole database, as Kysely sees it. Migrations (./migrations) create it and
 * `schema.sql` is its MySQL DDL; a test keeps the two equal.
 *
 * Timestamps are `YYYY-MM-DD HH:MM:SS.mmm` UTC strings on both dialects (DATETIME(3)
 * read with `dateStrings` on MySQL, TEXT on SQLite); see ./time.ts.
 */
export interface Database {
  users: UsersTable;
  friendships: FriendshipsTable;
  messages: MessagesTable;
  conversations: ConversationsTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  rate_limit_counters: RateLimitCountersTable;
  connections: ConnectionsTable;
  blocks: BlocksTable;
  unread_totals: UnreadTotalsTable;
  read_marks: ReadMarksTable;
  friend_entries: FriendEntriesTable;
  username_grams: UsernameGramsTable;
}

/**
 * The friend list: one row per friendship and side, in list order (migration 008). Written
 * with the friendship, in the same transaction.
 */
export interface FriendEntriesTable {
  owner_id: number;
  /** The friend's `users.username_key` (usernames never change). */
  friend_key: string;
  friend_id: number;
  /** When the friendship began. */
  since: string;
}

/** One n-gram of one user's username skeleton (lib/usernames.ts), for search. */
export interface UsernameGramsTable {
  user_id: number;
  /** Two to four code points of the skeleton, or `\u0001` and its first one to four. */
  gram: string;
  /** The user's username_key, so one gram's users are read in username order. */
  username_key: string;
}

/** While a row exists, `blocker_id` blocks `blocked_id`: neither can message or add the other. */
export interface BlocksTable {
  blocker_id: number;
  blocked_id: number;
  created_at: string;
}

/** A user's unread messages outside muted chats: the chat list's `total_unread`. */
export interface UnreadTotalsTable {
  user_id: number;
  unread_count: number;
}

/**
 * One mark_read that moved a read watermark: `reader_id` has read every message from
 * `sender_id` with an id up to `up_to_id`. A message's `read_at` is that of the first mark
 * reaching it (lib/read-state.ts).
 */
export interface ReadMarksTable {
  reader_id: number;
  sender_id: number;
  up_to_id: number;
  read_at: string;
}

/** An open WebSocket connection of one login (lib/realtime/connections.ts). */
export interface ConnectionsTable {
  /** API Gateway's id: the address the management API posts to. */
  connection_id: string;
  user_id: number;
  /** The login whose access token opened it; revoking the login closes it. */
  session_id: number;
  /** `zh` or `en`, negotiated at connect: the language of its `error` frames. */
  language: string;
  connected_at: string;
}

/** One fixed window of one limit for one subject (lib/rate-limits.ts). */
export interface RateLimitCountersTable {
  /** `<limit>:<keyed hash of the subject>` */
  bucket: string;
  /** The counted uses' times (ms since the epoch, 13 digits each), oldest first. */
  stamps: string;
  /** When the last refused use may be retried (ms since the epoch); 0 after an accepted one. */
  blocked_until: number;
  /** When every stamp will have left the window; rows past it are deleted now and then. */
  expires_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  /** As the user chose it; shown to others. */
  username: string;
  /** Case-folded NFKC form (lib/usernames.ts usernameKey): the unique identity for lookups. */
  username_key: string;
  /** UTS #39 skeleton of the key (lib/usernames.ts): look-alike names share it. */
  username_skeleton: string;
  /** 0 when the user owns the skeleton; its id for a look-alike older than migration 006. */
  skeleton_tiebreak: Generated<number>;
  /** Lower case, unique; never shown to other users. */
  email: string;
  password_hash: string;
  /** Bumped on password change; access tokens carry it, so older ones stop working. */
  token_version: Generated<number>;
  created_at: string;
  updated_at: string;
  /** Rows of friend_entries this user owns: the friend list's `count` and the 5,000 cap. */
  friend_count: Generated<number>;
}

/** One row per friendship, the pair ordered (low id, high id) so a unique key covers both directions. */
export interface FriendshipsTable {
  user_low_id: number;
  user_high_id: number;
  /** Who sent the add request. */
  created_by: number;
  created_at: string;
}

export interface MessagesTable {
  id: Generated<number>;
  sender_id: number;
  receiver_id: number;
  /** The conversation, as the ordered user pair; history reads (low, high, id). */
  user_low_id: number;
  user_high_id: number;
  content: string;
  message_type: 'text' | 'image' | 'file';
  /** Sender's idempotency key, unique per sender. */
  client_msg_id: string | null;
  /**
   * Read before migration 007 (with its `read_at`); since then always 0, and read state is
   * the reader's watermark (read_marks).
   */
  is_read: Generated<number>;
  read_at: string | null;
  created_at: string;
  /** Set by recall, which also erases `content` (to ''); the API then shows content null. */
  recalled_at: string | null;
}

/** The chat list: one row per (owner, peer) conversation, kept current by send and mark_read. */
export interface ConversationsTable {
  owner_id: number;
  peer_id: number;
  last_message_id: number;
  /** Messages from peer to owner that owner has not read. */
  unread_count: Generated<number>;
  /** Messages in the conversation, both directions: history's total without a count. */
  message_count: Generated<number>;
  updated_at: string;
  /** The owner's chat settings (SQL booleans: 0 or 1). Pinned chats come first in the list. */
  pinned: Generated<number>;
  /** A muted chat's unread messages are left out of `unread_totals`. */
  muted: Generated<number>;
  /** Out of the list until the next message in this conversation, either way. */
  hidden: Generated<number>;
}

/** One login: access tokens name it, refresh tokens keep it going. */
export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  /** The user's token_version at login; a password change since then ends the session. */
  token_version: number;
  created_at: string;
  /** Set by logout, a password change or a detected refresh-token reuse. */
  revoked_at: string | null;
}

/** A refresh token, by the SHA-256 of its value; used once, then replaced. */
export interface RefreshTokensTable {
  token_hash: string;
  session_id: number;
  created_at: string;
  expires_at: string;
  /** Set when exchanged; presenting it again (past the grace window) means it was stolen. */
  used_at: string | null;
  /** The token this one replaced: recognises a replay after the spent row is gone. */
  parent_hash: string | null;
}

export type UserRow = Selectable<UsersTable>;
export type MessageRow = Selectable<MessagesTable>;
export type ConnectionRow = Selectable<ConnectionsTable>;
