-- MySQL / MariaDB / Aurora MySQL DDL of the chat backend's schema.
--
-- The migrations in lib/db/migrations are the source of truth and create this schema on
-- first use (or with `npm run migrate`); this file is for DBAs and provisioning tools.
-- test/mysql/schema-parity.test.ts proves that applying it to an empty database yields
-- the same tables, columns, indexes and constraints as the migrations.
--
-- utf8mb4 keeps every Unicode character (emoji included); the binary collation makes
-- comparisons and ordering exact and identical to SQLite. Timestamps are UTC DATETIME(3).

CREATE TABLE users (
  id BIGINT NOT NULL AUTO_INCREMENT,
  username VARCHAR(32) NOT NULL,
  -- case-folded NFKC form (NFC for names older than migration 006): the case-insensitive
  -- identity used for uniqueness and lookup
  username_key VARCHAR(128) NOT NULL,
  -- stored lower case; never shown to other users
  email VARCHAR(254) NOT NULL,
  password_hash VARCHAR(100) NOT NULL,
  -- bumped on password change; tokens carry it, so older tokens stop working
  token_version INT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  -- the UTS #39 skeleton of the key (migration 006): look-alike names share it
  username_skeleton VARCHAR(255) NOT NULL,
  -- 0 for the account owning its skeleton; its own id for a look-alike older than 006
  skeleton_tiebreak BIGINT NOT NULL DEFAULT 0,
  -- rows in friend_entries owned by this user (migration 008): the friend list's count and
  -- the 5,000-friend cap, kept in the add and remove transactions
  friend_count INT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  CONSTRAINT users_username_key_uq UNIQUE (username_key),
  CONSTRAINT users_email_uq UNIQUE (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per friendship, the pair ordered so one unique key covers both directions.
CREATE TABLE friendships (
  user_low_id BIGINT NOT NULL,
  user_high_id BIGINT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  CONSTRAINT friendships_pk PRIMARY KEY (user_low_id, user_high_id),
  CONSTRAINT friendships_low_fk FOREIGN KEY (user_low_id) REFERENCES users (id),
  CONSTRAINT friendships_high_fk FOREIGN KEY (user_high_id) REFERENCES users (id),
  CONSTRAINT friendships_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id),
  CONSTRAINT friendships_pair_order CHECK (user_low_id < user_high_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX friendships_high_idx ON friendships (user_high_id, user_low_id);
CREATE INDEX friendships_created_by_idx ON friendships (created_by);

CREATE TABLE messages (
  id BIGINT NOT NULL AUTO_INCREMENT,
  sender_id BIGINT NOT NULL,
  receiver_id BIGINT NOT NULL,
  -- the conversation, as the ordered user pair
  user_low_id BIGINT NOT NULL,
  user_high_id BIGINT NOT NULL,
  content TEXT NOT NULL,
  message_type VARCHAR(16) NOT NULL DEFAULT 'text',
  -- the sender's idempotency key
  client_msg_id VARCHAR(64),
  is_read BOOLEAN NOT NULL DEFAULT FALSE,
  read_at DATETIME(3),
  created_at DATETIME(3) NOT NULL,
  -- set by recall (migration 005), which also erases content to ''
  recalled_at DATETIME(3),
  PRIMARY KEY (id),
  CONSTRAINT messages_sender_client_msg_uq UNIQUE (sender_id, client_msg_id),
  CONSTRAINT messages_sender_fk FOREIGN KEY (sender_id) REFERENCES users (id),
  CONSTRAINT messages_receiver_fk FOREIGN KEY (receiver_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- history pages: one conversation, by id
CREATE INDEX messages_conversation_idx ON messages (user_low_id, user_high_id, id);
-- mark_read: the unread rows of one sender to one receiver
CREATE INDEX messages_unread_idx ON messages (receiver_id, sender_id, is_read, id);

-- The chat list: one row per (owner, peer) conversation, kept current by send and mark_read.
CREATE TABLE conversations (
  owner_id BIGINT NOT NULL,
  peer_id BIGINT NOT NULL,
  last_message_id BIGINT NOT NULL,
  -- messages from peer to owner not yet read by owner
  unread_count INT NOT NULL DEFAULT 0,
  -- messages in the conversation, both directions: history's `total` without counting
  message_count INT NOT NULL DEFAULT 0,
  updated_at DATETIME(3) NOT NULL,
  -- the owner's chat settings (migration 005): pinned first in the list; muted unread left
  -- out of unread_totals; hidden out of the list until the next message
  pinned BOOLEAN NOT NULL DEFAULT FALSE,
  muted BOOLEAN NOT NULL DEFAULT FALSE,
  hidden BOOLEAN NOT NULL DEFAULT FALSE,
  CONSTRAINT conversations_pk PRIMARY KEY (owner_id, peer_id),
  CONSTRAINT conversations_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id),
  CONSTRAINT conversations_peer_fk FOREIGN KEY (peer_id) REFERENCES users (id),
  CONSTRAINT conversations_last_message_fk FOREIGN KEY (last_message_id) REFERENCES messages (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- the chat list: one owner's visible rows, pinned first, each group newest first
CREATE INDEX conversations_list_idx ON conversations (owner_id, hidden, pinned, last_message_id);
CREATE INDEX conversations_peer_idx ON conversations (peer_id);
CREATE INDEX conversations_last_message_idx ON conversations (last_message_id);

-- Logins (migration 002). Access tokens name their session, so revoking it (logout, a
-- password change, a reused refresh token) stops them at once.
CREATE TABLE sessions (
  id BIGINT NOT NULL AUTO_INCREMENT,
  user_id BIGINT NOT NULL,
  -- the user's token_version at login: a later password change invalidates the session
  token_version INT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  revoked_at DATETIME(3),
  PRIMARY KEY (id),
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Rotating refresh tokens, stored only as the SHA-256 (hex) of their value.
CREATE TABLE refresh_tokens (
  token_hash CHAR(64) NOT NULL,
  session_id BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  -- set when exchanged for a new one; presenting it again revokes the session
  used_at DATETIME(3),
  PRIMARY KEY (token_hash),
  CONSTRAINT refresh_tokens_session_fk FOREIGN KEY (session_id) REFERENCES sessions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Rate limits (migration 003; sliding windows since migration 009): per limit and subject,
-- the times of the uses still counted, shared by every Lambda instance.
CREATE TABLE rate_limit_counters (
  -- <limit>:<HMAC of the subject>; never the subject itself (a typed login name)
  bucket VARCHAR(255) NOT NULL,
  -- counted uses, ms since the epoch, 13 digits each, oldest first; at most the limit's max
  stamps TEXT NOT NULL,
  -- when the last refused use may be retried (ms); 0 after an accepted one
  blocked_until BIGINT NOT NULL,
  -- when every stamp has left the window; expired rows are deleted by housekeeping
  expires_at DATETIME(3) NOT NULL,
  PRIMARY KEY (bucket)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX rate_limit_counters_expires_idx ON rate_limit_counters (expires_at);

-- Real-time (migration 004): the open WebSocket connections of each login.
CREATE TABLE connections (
  -- API Gateway's connection id: where the management API posts events
  connection_id VARCHAR(128) NOT NULL,
  user_id BIGINT NOT NULL,
  -- the login whose access token opened it; revoking the login closes it
  session_id BIGINT NOT NULL,
  -- zh or en, negotiated at connect: the language of its error frames
  language VARCHAR(8) NOT NULL,
  connected_at DATETIME(3) NOT NULL,
  PRIMARY KEY (connection_id),
  CONSTRAINT connections_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT connections_session_fk FOREIGN KEY (session_id) REFERENCES sessions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- fan-out to every connection of a user, and the per-user cap (oldest first)
CREATE INDEX connections_user_idx ON connections (user_id, connected_at);
CREATE INDEX connections_session_idx ON connections (session_id);
-- housekeeping: rows past API Gateway's two-hour connection limit
CREATE INDEX connections_connected_at_idx ON connections (connected_at);
-- GET /api/message/updates: a user's sent and received messages, by id
CREATE INDEX messages_sender_idx ON messages (sender_id, id);
CREATE INDEX messages_receiver_idx ON messages (receiver_id, id);
-- housekeeping of expired refresh tokens and ended logins
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at);

-- Blocks (migration 005): while a row exists, blocker_id blocks blocked_id; the primary key
-- makes a double block impossible.
CREATE TABLE blocks (
  blocker_id BIGINT NOT NULL,
  blocked_id BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  CONSTRAINT blocks_pk PRIMARY KEY (blocker_id, blocked_id),
  CONSTRAINT blocks_blocker_fk FOREIGN KEY (blocker_id) REFERENCES users (id),
  CONSTRAINT blocks_blocked_fk FOREIGN KEY (blocked_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);
-- GET /api/friend/blocked: one blocker's rows, newest first
CREATE INDEX blocks_recent_idx ON blocks (blocker_id, created_at);

-- Each user's unread messages outside muted chats (migration 005): the chat list's
-- total_unread in one primary-key read, kept in the transactions that change it.
CREATE TABLE unread_totals (
  user_id BIGINT NOT NULL,
  unread_count INT NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id),
  CONSTRAINT unread_totals_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Look-alike names (migration 006): one account per skeleton.
CREATE UNIQUE INDEX users_username_skeleton_uq ON users (username_skeleton, skeleton_tiebreak);

-- Username search (migration 006): every substring of two to four characters of every
-- skeleton, and its prefixes of one to four after a \x01 marker, kept with the user's row in
-- the same transaction.
CREATE TABLE username_grams (
  user_id BIGINT NOT NULL,
  gram VARCHAR(8) NOT NULL,
  username_key VARCHAR(128) NOT NULL,
  CONSTRAINT username_grams_pk PRIMARY KEY (user_id, gram),
  CONSTRAINT username_grams_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- one gram's users in username order: a search page reads `limit` rows, not every match
CREATE INDEX username_grams_read_idx ON username_grams (gram, username_key, user_id);
-- Read watermarks (migration 007): one row per mark_read that moved one, "reader_id has read
-- sender_id's messages up to up_to_id, at read_at". A message is read when its own is_read
-- says so (read before 007) or a mark of its reader and sender reaches its id; its read_at
-- is that of the first such mark: one seek of the primary key.
CREATE TABLE read_marks (
  reader_id BIGINT NOT NULL,
  sender_id BIGINT NOT NULL,
  up_to_id BIGINT NOT NULL,
  read_at DATETIME(3) NOT NULL,
  CONSTRAINT read_marks_pk PRIMARY KEY (reader_id, sender_id, up_to_id),
  CONSTRAINT read_marks_reader_fk FOREIGN KEY (reader_id) REFERENCES users (id),
  CONSTRAINT read_marks_sender_fk FOREIGN KEY (sender_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX read_marks_sender_idx ON read_marks (sender_id);
-- The friend list (migration 008): each friendship once per side, in list order (the
-- friend's username key, then id), so a page is one primary-key range read however many
-- friends the owner has. Written in the same transactions as friendships.
CREATE TABLE friend_entries (
  owner_id BIGINT NOT NULL,
  -- the friend's users.username_key (usernames never change)
  friend_key VARCHAR(128) NOT NULL,
  friend_id BIGINT NOT NULL,
  -- when the friendship began (friendships.created_at)
  since DATETIME(3) NOT NULL,
  CONSTRAINT friend_entries_pk PRIMARY KEY (owner_id, friend_key, friend_id),
  CONSTRAINT friend_entries_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id),
  CONSTRAINT friend_entries_friend_fk FOREIGN KEY (friend_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX friend_entries_friend_idx ON friend_entries (friend_id, owner_id);
-- Auth hardening (migration 009): each refresh token names the one it replaced, so a
-- replayed token is recognised after housekeeping removed its spent row; spent tokens are
-- found by used_at.
ALTER TABLE refresh_tokens ADD COLUMN parent_hash CHAR(64);
CREATE INDEX refresh_tokens_parent_idx ON refresh_tokens (parent_hash);
CREATE INDEX refresh_tokens_used_idx ON refresh_tokens (used_at);
