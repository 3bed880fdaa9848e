import type { Kysely } from 'kysely';
import { getConfig } from './config';
import { AppError } from './errors';
import type { TokenPair } from './api/schemas';
import { hashRefreshToken, issueAccessToken, newRefreshToken } from './auth/tokens';
import { getDb } from './db/connection';
import type { Database, UserRow } from './db/schema';
import { toDbTimestamp } from './db/time';
import { inTransaction } from './db/transaction';
import { closeRevokedConnections } from './realtime/connections';

/** An access token with the refresh token that renews it. */
export type { TokenPair } from './api/schemas';

/** A user's live logins at most; a new one beyond that ends the oldest. */
export const MAX_LIVE_LOGINS = 50;

/** Issues a refresh token for a session; `parentHash` names the token it replaces. */
async function issueRefreshToken(
  db: Kysely<Database>,
  sessionId: number,
  now: Date,
  parentHash: string | null = null,
): Promise<{ refresh_token: string; refresh_expires_in: number }> {
  const ttl = getConfig().refreshTokenTtlSeconds;
  const expiresAt = toDbTimestamp(new Date(now.getTime() + ttl * 1000));
  const token = newRefreshToken();
  await db
    .insertInto('refresh_tokens')
    .values({
      token_hash: hashRefreshToken(token),
      session_id: sessionId,
      created_at: toDbTimestamp(now),
      expires_at: expiresAt,
      used_at: null,
      parent_hash: parentHash,
    })
    .execute();
  return { refresh_token: token, refresh_expires_in: ttl };
}

/** A new login for `user`: a session, its first refresh token and an access token. Run it in a transaction. */
export async function startSession(
  db: Kysely<Database>,
  user: Pick<UserRow, 'id' | 'token_version'>,
): Promise<TokenPair> {
  const now = new Date();
  const { insertId } = await db
    .insertInto('sessions')
    .values({
      user_id: user.id,
      // The version this login was granted under: if the password changes meanwhile (even
      // while this login is still being created), the session is dead on arrival.
      token_version: user.token_version,
      created_at: toDbTimestamp(now),
      revoked_at: null,
    })
    .executeTakeFirstOrThrow();
  const sessionId = Number(insertId);
  const refresh = await issueRefreshToken(db, sessionId, now);
  return {
    ...issueAccessToken({ userId: user.id, tokenVersion: user.token_version, sessionId }),
    ...refresh,
  };
}

/**
 * Ends the user's oldest logins beyond MAX_LIVE_LOGINS (not revoked; newest kept, by id);
 * answers how many it ended, so the caller closes their connections after the commit.
 * Run it in the transaction that started the newest.
 */
export async function endLoginsBeyondLimit(db: Kysely<Database>, userId: number): Promise<number> {
  const surplus = await db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('id', 'desc')
    // MySQL wants a LIMIT with an OFFSET; a user never has this many.
    .limit(1_000_000)
    .offset(MAX_LIVE_LOGINS)
    .execute();
  if (surplus.length === 0) return 0;
  const ended = await db
    .updateTable('sessions')
    .set({ revoked_at: toDbTimestamp() })
    .where(
      'id',
      'in',
      surplus.map((row) => row.id),
    )
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(ended.numUpdatedRows);
}

/**
 * Ends one login (`{ id }`) or every login of a user (`{ user_id }`, after a password
 * change): their access and refresh tokens stop working.
 */
export async function revokeSessions(
  db: Kysely<Database>,
  which: { id: number } | { user_id: number },
): Promise<void> {
  const [column, value] =
    'id' in which ? (['id', which.id] as const) : (['user_id', which.user_id] as const);
  await db
    .updateTable('sessions')
    .set({ revoked_at: toDbTimestamp() })
    .where(column, '=', value)
    .where('revoked_at', 'is', null)
    .execute();
}

class RefreshTokenReused extends Error {}

/**
 * Exchanges a refresh token for a new access token and a new refresh token (rotation).
 * A token that was already exchanged is taken as stolen: the whole login is revoked, so
 * neither the thief nor the owner can use it any more, with one exception for flaky
 * networks: presented again within REFRESH_REUSE_GRACE_SECONDS of its rotation, while its
 * login lives, it is a retry of an answer that got lost, and gets a fresh pair of its own.
 * The pair answered first stays valid too (the client may have kept either); each of the
 * two refresh tokens then works once, and any later reuse of any of them revokes the login.
 */
export async function refreshSession(refreshToken: string): Promise<TokenPair> {
  const db = await getDb();
  const tokenHash = hashRefreshToken(refreshToken);
  const found = await db
    .selectFrom('refresh_tokens as r')
    .innerJoin('sessions as s', 's.id', 'r.session_id')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      'r.session_id',
      'r.used_at',
      'r.expires_at',
      's.revoked_at',
      's.user_id',
      's.token_version',
      'u.token_version as current_token_version',
    ])
    .where('r.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!found) return refuseUnknown(tokenHash);
  const now = new Date();
  const live =
    found.revoked_at === null &&
    found.token_version === found.current_token_version &&
    found.expires_at > toDbTimestamp(now);
  if (found.used_at !== null) {
    if (!live || !withinGrace(found.used_at, now)) await revokeAsStolen(found);
    return issuePair(db, found, tokenHash, now);
  }
  if (!live) throw new AppError('UNAUTHORIZED');

  try {
    return await inTransaction(db, async (trx) => {
      const used = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: toDbTimestamp(now) })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      // Another request exchanged it first, since we read it: a retry racing the original.
      if (used.numUpdatedRows === 0n) throw new RefreshTokenReused();
      return issuePair(trx, found, tokenHash, now);
    });
  } catch (error) {
    if (!(error instanceof RefreshTokenReused)) throw error;
    if (getConfig().refreshReuseGraceSeconds === 0) return revokeAsStolen(found);
    return issuePair(db, found, tokenHash, now);
  }
}

/** Whether a token exchanged at `usedAt` may still be presented as a retry. */
function withinGrace(usedAt: string, now: Date): boolean {
  const graceMs = getConfig().refreshReuseGraceSeconds * 1000;
  return usedAt >= toDbTimestamp(new Date(now.getTime() - graceMs));
}

/** A new access token and a new refresh token (the successor of `parentHash`) for a login. */
async function issuePair(
  db: Kysely<Database>,
  login: { session_id: number; user_id: number; token_version: number },
  parentHash: string,
  now: Date,
): Promise<TokenPair> {
  const refresh = await issueRefreshToken(db, login.session_id, now, parentHash);
  const access = issueAccessToken({
    userId: login.user_id,
    tokenVersion: login.token_version,
    sessionId: login.session_id,
  });
  return { ...access, ...refresh };
}

/**
 * An unknown refresh token. Housekeeping removes spent tokens once past the grace window;
 * if one of them comes back, the token it was exchanged for still names it (parent_hash):
 * that is a replay, and its login is revoked as for any other.
 */
async function refuseUnknown(tokenHash: string): Promise<never> {
  const db = await getDb();
  const child = await db
    .selectFrom('refresh_tokens as r')
    .innerJoin('sessions as s', 's.id', 'r.session_id')
    .select(['r.session_id', 's.user_id'])
    .where('r.parent_hash', '=', tokenHash)
    .executeTakeFirst();
  if (child) await revokeAsStolen(child);
  throw new AppError('UNAUTHORIZED');
}

/** A refresh token came back after use: end its login everywhere, sockets included. */
async function revokeAsStolen(token: { session_id: number; user_id: number }): Promise<never> {
  await revokeSessions(await getDb(), { id: token.session_id });
  await closeRevokedConnections(token.user_id);
  throw new AppError('UNAUTHORIZED');
}
