/**
 * The baselines: each endpoint's request answered by hand, with the service's driver and
 * connection settings, the fewest statements that give the same answer and the same
 * effects on the same schema, and no framework. They also check the token (signature and
 * a revocation lookup), because the service's answer depends on it; they skip only what
 * is policy rather than the answer (rate limits, input validation, friendly errors).
 * Business rules (username keys, email normalization, LIKE escaping) come from lib/, so a
 * baseline can never disagree with the service about what a name or a keyword means.
 * They use the same secret KeyObject as the service (a string secret costs jsonwebtoken
 * a failed PEM parse per call), so the comparison is not flattered by a slow baseline.
 */
import { compare, hash } from 'bcryptjs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { jwtKey } from '../lib/auth/tokens';
import { getConfig } from '../lib/config';
import type { MessageRow, UserRow } from '../lib/db/schema';
import { toDbTimestamp, toIsoTimestamp } from '../lib/db/time';
import { chatListView, messageView, type ChatRow } from '../lib/messages';
import { encodeFriendCursor, likeLiteral } from '../lib/friends';
import { normalizeEmail, selfView, usernameKey } from '../lib/users';
import { usernameGramRows, usernameSkeleton } from '../lib/usernames';
import type { RawDb, RawSession } from './raw-db';

type Row = Record<string, unknown>;

interface Claims {
  sub: string;
  sid: string;
  ver: number;
}

/** The caller of a bearer token, as a hand-written service would check it. */
export async function authorize(raw: RawDb, token: string): Promise<UserRow> {
  const claims = jwt.verify(token, jwtKey(), { algorithms: ['HS256'] }) as Claims;
  const [row] = await raw.rows<UserRow & { revoked_at: string | null; session_version: number }>(
    `SELECT u.*, s.revoked_at, s.token_version AS session_version
     FROM users u JOIN sessions s ON s.user_id = u.id WHERE u.id = ? AND s.id = ?`,
    [Number(claims.sub), Number(claims.sid)],
  );
  if (
    !row ||
    row.revoked_at !== null ||
    row.session_version !== row.token_version ||
    claims.ver !== row.token_version
  ) {
    throw new Error('baseline: unauthorized');
  }
  return row;
}

function accessToken(userId: number, version: number, sessionId: number) {
  const ttl = getConfig().accessTokenTtlSeconds;
  const token = jwt.sign({ typ: 'access', ver: version, sid: String(sessionId) }, jwtKey(), {
    algorithm: 'HS256',
    subject: String(userId),
    expiresIn: ttl,
    jwtid: randomUUID(),
  });
  return { access_token: token, token_type: 'Bearer', expires_in: ttl };
}

/** A session, its refresh token and an access token: what every login-like answer holds. */
async function newLogin(session: RawSession, userId: number, version: number) {
  const now = new Date();
  const ttl = getConfig().refreshTokenTtlSeconds;
  const { insertId } = await session.run(
    'INSERT INTO sessions (user_id, token_version, created_at) VALUES (?, ?, ?)',
    [userId, version, toDbTimestamp(now)],
  );
  const refresh = randomBytes(32).toString('base64url');
  await session.run(
    'INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    [
      createHash('sha256').update(refresh).digest('hex'),
      insertId,
      toDbTimestamp(now),
      toDbTimestamp(new Date(now.getTime() + ttl * 1000)),
    ],
  );
  return {
    ...accessToken(userId, version, insertId),
    refresh_token: refresh,
    refresh_expires_in: ttl,
  };
}

export const baselines = {
  health: async (raw: RawDb) => {
    await raw.rows('SELECT 1');
    return { status: 'ok', database: 'ok', db_type: raw.dialect };
  },

  register: async (raw: RawDb, input: { username: string; email: string; password: string }) => {
    const passwordHash = await hash(input.password, getConfig().bcryptCost);
    const now = toDbTimestamp();
    return raw.transaction(async (session) => {
      const skeletonKey = usernameSkeleton(input.username);
      const { insertId } = await session.run(
        `INSERT INTO users (username, username_key, username_skeleton, email, password_hash, token_version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
        [
          input.username,
          usernameKey(input.username),
          skeletonKey,
          normalizeEmail(input.email),
          passwordHash,
          now,
          now,
        ],
      );
      const grams = usernameGramRows({
        id: insertId,
        username_key: usernameKey(input.username),
        username_skeleton: skeletonKey,
      });
      await session.run(
        `INSERT INTO username_grams (user_id, gram, username_key) VALUES ${grams.map(() => '(?, ?, ?)').join(', ')}`,
        grams.flatMap((row) => [row.user_id, row.gram, row.username_key]),
      );
      const user = { id: insertId, username: input.username, email: input.email, created_at: now };
      return { user: selfView(user as UserRow), ...(await newLogin(session, insertId, 0)) };
    });
  },

  login: async (raw: RawDb, input: { username: string; password: string }) => {
    const [user] = await raw.rows<UserRow>('SELECT * FROM users WHERE username_key = ?', [
      usernameKey(input.username),
    ]);
    if (!user || !(await compare(input.password, user.password_hash))) {
      throw new Error('baseline: invalid credentials');
    }
    const tokens = await raw.transaction((session) =>
      newLogin(session, user.id, user.token_version),
    );
    return { ...tokens, user: selfView(user) };
  },

  refresh: async (raw: RawDb, refreshToken: string) => {
    const tokenHash = createHash('sha256').update(refreshToken).digest('hex');
    const now = toDbTimestamp();
    return raw.transaction(async (session) => {
      const [found] = await session.rows<
        Row & { session_id: number; user_id: number; token_version: number }
      >(
        `SELECT r.session_id, s.user_id, s.token_version FROM refresh_tokens r
         JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
         WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ?
           AND s.revoked_at IS NULL AND s.token_version = u.token_version`,
        [tokenHash, now],
      );
      if (!found) throw new Error('baseline: unknown refresh token');
      const used = await session.run(
        'UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL',
        [now, tokenHash],
      );
      if (used.changes !== 1) throw new Error('baseline: refresh token reused');
      const ttl = getConfig().refreshTokenTtlSeconds;
      const next = randomBytes(32).toString('base64url');
      await session.run(
        'INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
        [
          createHash('sha256').update(next).digest('hex'),
          found.session_id,
          now,
          toDbTimestamp(new Date(Date.now() + ttl * 1000)),
        ],
      );
      return {
        ...accessToken(found.user_id, found.token_version, found.session_id),
        refresh_token: next,
        refresh_expires_in: ttl,
      };
    });
  },

  logout: async (raw: RawDb, token: string) => {
    const claims = jwt.decode(token) as Claims;
    await authorize(raw, token);
    await raw.run('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
      toDbTimestamp(),
      Number(claims.sid),
    ]);
    return null;
  },

  changePassword: async (raw: RawDb, token: string, input: { old: string; new: string }) => {
    const user = await authorize(raw, token);
    if (!(await compare(input.old, user.password_hash)))
      throw new Error('baseline: wrong password');
    const passwordHash = await hash(input.new, getConfig().bcryptCost);
    const now = toDbTimestamp();
    return raw.transaction(async (session) => {
      const changed = await session.run(
        `UPDATE users SET password_hash = ?, token_version = token_version + 1, updated_at = ?
         WHERE id = ? AND token_version = ?`,
        [passwordHash, now, user.id, user.token_version],
      );
      if (changed.changes !== 1) throw new Error('baseline: password changed meanwhile');
      await session.run(
        'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
        [now, user.id],
      );
      return newLogin(session, user.id, user.token_version + 1);
    });
  },

  profile: async (raw: RawDb, token: string) => ({ user: selfView(await authorize(raw, token)) }),

  friendAdd: async (raw: RawDb, token: string, friendUsername: string) => {
    const user = await authorize(raw, token);
    const [friend] = await raw.rows<{
      id: number;
      username: string;
      username_key: string;
      created_at: string;
    }>('SELECT id, username, username_key, created_at FROM users WHERE username_key = ?', [
      usernameKey(friendUsername),
    ]);
    if (!friend) throw new Error('baseline: no such user');
    const since = toDbTimestamp();
    const [low, high] = [Math.min(user.id, friend.id), Math.max(user.id, friend.id)];
    await raw.transaction(async (session) => {
      // Both users' rows locked (their friend counts: the cap), then the three writes.
      const forUpdate = raw.dialect === 'mysql' ? ' FOR UPDATE' : '';
      const pair = await session.rows<{ friend_count: number }>(
        `SELECT friend_count FROM users WHERE id IN (?, ?) ORDER BY id${forUpdate}`,
        [low, high],
      );
      if (pair.some((row) => row.friend_count >= 5000)) throw new Error('baseline: full');
      await session.run(
        'INSERT INTO friendships (user_low_id, user_high_id, created_by, created_at) VALUES (?, ?, ?, ?)',
        [low, high, user.id, since],
      );
      await session.run(
        'INSERT INTO friend_entries (owner_id, friend_key, friend_id, since) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
        [
          user.id,
          friend.username_key,
          friend.id,
          since,
          friend.id,
          user.username_key,
          user.id,
          since,
        ],
      );
      await session.run('UPDATE users SET friend_count = friend_count + 1 WHERE id IN (?, ?)', [
        low,
        high,
      ]);
    });
    const { id, username, created_at } = friend;
    return {
      friend: {
        id,
        username,
        created_at: toIsoTimestamp(created_at),
        since: toIsoTimestamp(since),
      },
    };
  },

  /** The first page at the default limit (1,000), as the friend list case asks for it. */
  friendList: async (raw: RawDb, token: string) => {
    const user = await authorize(raw, token);
    const limit = 1000;
    const rows = await raw.rows<{
      id: number;
      username: string;
      created_at: string;
      friend_key: string;
      since: string;
      blocked: number;
    }>(
      `SELECT u.id, u.username, u.created_at, e.friend_key, e.since,
         b.blocker_id IS NOT NULL AS blocked
       FROM friend_entries e JOIN users u ON u.id = e.friend_id
       LEFT JOIN blocks b ON b.blocker_id = ? AND b.blocked_id = e.friend_id
       WHERE e.owner_id = ?
       ORDER BY e.friend_key, e.friend_id LIMIT ${limit + 1}`,
      [user.id, user.id],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const friends = page.map((row) => ({
      id: row.id,
      username: row.username,
      created_at: toIsoTimestamp(row.created_at),
      since: toIsoTimestamp(row.since),
      blocked: Boolean(row.blocked),
    }));
    return {
      friends,
      count: user.friend_count,
      next_cursor:
        rows.length > limit && last
          ? encodeFriendCursor({ key: last.friend_key, id: last.id })
          : null,
    };
  },

  friendRemove: async (raw: RawDb, token: string, friendId: number) => {
    const user = await authorize(raw, token);
    const [low, high] = [Math.min(user.id, friendId), Math.max(user.id, friendId)];
    await raw.transaction(async (session) => {
      const forUpdate = raw.dialect === 'mysql' ? ' FOR UPDATE' : '';
      const pair = await session.rows<{ id: number; username_key: string }>(
        `SELECT id, username_key FROM users WHERE id IN (?, ?) ORDER BY id${forUpdate}`,
        [low, high],
      );
      const removed = await session.run(
        'DELETE FROM friendships WHERE user_low_id = ? AND user_high_id = ?',
        [low, high],
      );
      if (removed.changes !== 1) throw new Error('baseline: not friends');
      const [first, second] = pair;
      if (!first || !second) throw new Error('baseline: no such user');
      await session.run(
        'DELETE FROM friend_entries WHERE owner_id = ? AND friend_key = ? AND friend_id = ?',
        [first.id, second.username_key, second.id],
      );
      await session.run(
        'DELETE FROM friend_entries WHERE owner_id = ? AND friend_key = ? AND friend_id = ?',
        [second.id, first.username_key, first.id],
      );
      await session.run('UPDATE users SET friend_count = friend_count - 1 WHERE id IN (?, ?)', [
        low,
        high,
      ]);
    });
    return { friend_id: friendId };
  },

  search: async (raw: RawDb, token: string, keyword: string, limit: number) => {
    const user = await authorize(raw, token);
    // The same answer as the handler, by a scan of every skeleton (no gram index).
    const key = usernameSkeleton(keyword);
    const literal = likeLiteral(key);
    const [least, greatest] = raw.dialect === 'mysql' ? ['LEAST', 'GREATEST'] : ['MIN', 'MAX'];
    const rows = await raw.rows<{ id: number; username: string; is_friend: number }>(
      `SELECT u.id, u.username, f.user_low_id IS NOT NULL AS is_friend FROM users u
       LEFT JOIN friendships f ON f.user_low_id = ${least}(?, u.id) AND f.user_high_id = ${greatest}(?, u.id)
       WHERE u.id <> ? AND (u.username_skeleton LIKE ? ESCAPE '!' OR u.email = ?)
       ORDER BY CASE WHEN u.username_skeleton = ? THEN 0 WHEN u.username_skeleton LIKE ? ESCAPE '!' THEN 1 ELSE 2 END,
         u.username_key, u.id
       LIMIT ?`,
      [
        user.id,
        user.id,
        user.id,
        [...keyword].length === 1 ? `${literal}%` : `%${literal}%`,
        normalizeEmail(keyword),
        key,
        `${literal}%`,
        limit,
      ],
    );
    return {
      users: rows.map((row) => ({
        id: row.id,
        username: row.username,
        is_friend: Boolean(row.is_friend),
      })),
    };
  },

  send: async (
    raw: RawDb,
    token: string,
    input: { receiverId: number; content: string; clientMsgId: string },
  ) => {
    const sender = await authorize(raw, token);
    const [low, high] = [
      Math.min(sender.id, input.receiverId),
      Math.max(sender.id, input.receiverId),
    ];
    const now = toDbTimestamp();
    const lock = raw.dialect === 'mysql' ? ' LOCK IN SHARE MODE' : '';
    const upsert =
      raw.dialect === 'mysql'
        ? `INSERT INTO conversations (owner_id, peer_id, last_message_id, unread_count, message_count, updated_at)
           VALUES (?, ?, ?, ?, 1, ?) ON DUPLICATE KEY UPDATE
           last_message_id = GREATEST(last_message_id, VALUES(last_message_id)),
           unread_count = unread_count + VALUES(unread_count), message_count = message_count + 1,
           updated_at = VALUES(updated_at), hidden = 0`
        : `INSERT INTO conversations (owner_id, peer_id, last_message_id, unread_count, message_count, updated_at)
           VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (owner_id, peer_id) DO UPDATE SET
           last_message_id = MAX(last_message_id, excluded.last_message_id),
           unread_count = unread_count + excluded.unread_count, message_count = message_count + 1,
           updated_at = excluded.updated_at, hidden = 0`;
    const row = {
      sender_id: sender.id,
      receiver_id: input.receiverId,
      user_low_id: low,
      user_high_id: high,
      content: input.content,
      message_type: 'text' as const,
      client_msg_id: input.clientMsgId,
      is_read: 0,
      read_at: null,
      created_at: now,
      recalled_at: null,
    };
    const id = await raw.transaction(async (session) => {
      const friends = await session.rows(
        `SELECT 1 FROM friendships WHERE user_low_id = ? AND user_high_id = ?${lock}`,
        [low, high],
      );
      if (friends.length === 0) throw new Error('baseline: not friends');
      const blocks = await session.rows(
        `SELECT 1 FROM blocks WHERE (blocker_id = ? AND blocked_id = ?)
           OR (blocker_id = ? AND blocked_id = ?)${lock}`,
        [sender.id, input.receiverId, input.receiverId, sender.id],
      );
      if (blocks.length > 0) throw new Error('baseline: blocked');
      const { insertId } = await session.run(
        `INSERT INTO messages (sender_id, receiver_id, user_low_id, user_high_id, content, message_type,
           client_msg_id, is_read, read_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)`,
        [sender.id, input.receiverId, low, high, input.content, 'text', input.clientMsgId, now],
      );
      for (const owner of [low, high]) {
        const peer = owner === low ? high : low;
        await session.run(upsert, [owner, peer, insertId, owner === sender.id ? 0 : 1, now]);
      }
      await session.run(
        `INSERT INTO unread_totals (user_id, unread_count)
         SELECT owner_id, 1 FROM conversations WHERE owner_id = ? AND peer_id = ? AND muted = 0
         ${raw.dialect === 'mysql' ? 'ON DUPLICATE KEY UPDATE unread_count = unread_totals.unread_count + 1' : 'ON CONFLICT (user_id) DO UPDATE SET unread_count = unread_totals.unread_count + 1'}`,
        [input.receiverId, sender.id],
      );
      return insertId;
    });
    return { message: messageView({ ...row, id }) };
  },

  history: async (
    raw: RawDb,
    token: string,
    input: { friendId: number; perPage: number; page: number; beforeId?: number },
  ) => {
    const user = await authorize(raw, token);
    const [summary] = await raw.rows<{ message_count: number }>(
      'SELECT message_count FROM conversations WHERE owner_id = ? AND peer_id = ?',
      [user.id, input.friendId],
    );
    const cursor = input.beforeId === undefined ? '' : ' AND id < ?';
    const rows = await raw.rows<MessageRow>(
      `SELECT * FROM messages WHERE user_low_id = ? AND user_high_id = ?${cursor}
       ORDER BY id DESC LIMIT ? OFFSET ?`,
      [
        Math.min(user.id, input.friendId),
        Math.max(user.id, input.friendId),
        ...(input.beforeId === undefined ? [] : [input.beforeId]),
        input.perPage + 1,
        input.beforeId === undefined ? (input.page - 1) * input.perPage : 0,
      ],
    );
    return {
      messages: rows.slice(0, input.perPage).reverse().map(messageView),
      page: input.beforeId === undefined ? input.page : null,
      per_page: input.perPage,
      total: summary?.message_count ?? 0,
      has_more: rows.length > input.perPage,
    };
  },

  chats: async (raw: RawDb, token: string, limit: number) => {
    const user = await authorize(raw, token);
    const [least, greatest] = raw.dialect === 'mysql' ? ['LEAST', 'GREATEST'] : ['MIN', 'MAX'];
    const rows = await raw.rows<ChatRow>(
      `SELECT m.*, c.peer_id, c.unread_count, c.pinned, c.muted, u.username AS peer_username,
         f.user_low_id IS NOT NULL AS is_friend,
         (SELECT SUM(unread_count) FROM conversations WHERE owner_id = ? AND muted = 0) AS total_unread
       FROM conversations c
       JOIN messages m ON m.id = c.last_message_id
       JOIN users u ON u.id = c.peer_id
       LEFT JOIN friendships f ON f.user_low_id = ${least}(c.owner_id, c.peer_id)
         AND f.user_high_id = ${greatest}(c.owner_id, c.peer_id)
       WHERE c.owner_id = ? AND c.hidden = 0
       ORDER BY c.pinned DESC, c.last_message_id DESC LIMIT ?`,
      [user.id, user.id, limit],
    );
    return chatListView(rows);
  },

  last: async (raw: RawDb, token: string, friendId: number) => {
    const user = await authorize(raw, token);
    const [row] = await raw.rows<MessageRow>(
      `SELECT m.* FROM conversations c JOIN messages m ON m.id = c.last_message_id
       WHERE c.owner_id = ? AND c.peer_id = ?`,
      [user.id, friendId],
    );
    return { message: row ? messageView(row) : null };
  },

  markRead: async (raw: RawDb, token: string, senderId: number) => {
    const user = await authorize(raw, token);
    const now = toDbTimestamp();
    const updated = await raw.transaction(async (session) => {
      const { changes } = await session.run(
        'UPDATE messages SET is_read = 1, read_at = ? WHERE receiver_id = ? AND sender_id = ? AND is_read = 0',
        [now, user.id, senderId],
      );
      if (changes > 0) {
        await session.run(
          `UPDATE conversations SET unread_count = unread_count - ?, updated_at = ?
           WHERE owner_id = ? AND peer_id = ?`,
          [changes, now, user.id, senderId],
        );
        await session.run(
          `UPDATE unread_totals SET unread_count = unread_count - ? WHERE user_id = ?
           AND EXISTS (SELECT 1 FROM conversations WHERE owner_id = ? AND peer_id = ? AND muted = 0)`,
          [changes, user.id, user.id, senderId],
        );
      }
      return changes;
    });
    return { sender_id: senderId, updated };
  },
};
