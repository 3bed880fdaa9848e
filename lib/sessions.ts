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

/** Issues a refresh token for a session. */
async function issueRefreshToken(
  db: Kysely<Database>,
  sessionId: number,
  now: Date,
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
 * neither the thief nor the owner can use it any more.
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
  if (!found) throw new AppError('UNAUTHORIZED');
  const now = new Date();
  if (found.used_at !== null) await revokeAsStolen(found);
  const passwordChanged = found.token_version !== found.current_token_version;
  if (found.revoked_at !== null || passwordChanged || found.expires_at <= toDbTimestamp(now)) {
    throw new AppError('UNAUTHORIZED');
  }

  try {
    return await inTransaction(db, async (trx) => {
      const used = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: toDbTimestamp(now) })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      // Another request exchanged it first: the same token was presented twice.
      if (used.numUpdatedRows === 0n) throw new RefreshTokenReused();
      const refresh = await issueRefreshToken(trx, found.session_id, now);
      const access = issueAccessToken({
        userId: found.user_id,
        tokenVersion: found.token_version,
        sessionId: found.session_id,
      });
      return { ...access, ...refresh };
    });
  } catch (error) {
    if (!(error instanceof RefreshTokenReused)) throw error;
    return revokeAsStolen(found);
  }
}

/** A refresh token came back after use: end its login everywhere, sockets included. */
async function revokeAsStolen(token: { session_id: number; user_id: number }): Promise<never> {
  await revokeSessions(await getDb(), { id: token.session_id });
  await closeRevokedConnections(token.user_id);
  throw new AppError('UNAUTHORIZED');
}
