import { AppError } from './errors';
import { isCommonPassword } from './auth/common-passwords';
import { hashPassword, verifyPassword } from './auth/password';
import { readAccessToken } from './auth/tokens';
import { getDb } from './db/connection';
import { uniqueViolation } from './db/errors';
import type { Database, UserRow } from './db/schema';
import { toDbTimestamp, toIsoTimestamp } from './db/time';
import { inTransaction } from './db/transaction';
import type { Kysely } from 'kysely';
import { isLiveSession } from './auth/liveness';
import { closeRevokedConnections } from './realtime/connections';
import { consumeLimit } from './rate-limits';
import { endLoginsBeyondLimit, revokeSessions, startSession, type TokenPair } from './sessions';
import type { PublicUser, SelfUser } from './api/schemas';
import {
  normalizeUsername,
  usernameGramRows,
  usernameKey,
  usernameKeyCandidates,
  usernameSkeleton,
} from './usernames';

// A user as anyone may see them, and as they see themselves (with the email, shown to no one else).
export type { PublicUser, SelfUser } from './api/schemas';

export function publicView(user: UserRow): PublicUser {
  return { id: user.id, username: user.username, created_at: toIsoTimestamp(user.created_at) };
}

export function selfView(user: UserRow): SelfUser {
  return { ...publicView(user), email: user.email };
}

// How usernames are compared (NFKC, case, look-alikes): lib/usernames.ts.
export { usernameKey } from './usernames';

export function normalizeEmail(email: string): string {
  return email.toLowerCase();
}

/** WEAK_PASSWORD for one of the commonly used passwords (lib/auth/common-passwords.ts). */
function assertNotCommonPassword(password: string): void {
  if (isCommonPassword(password)) throw new AppError('WEAK_PASSWORD');
}

export interface Registration {
  username: string;
  email: string;
  password: string;
}

export async function registerUser(
  registration: Registration,
  clientIp: string,
): Promise<{ user: UserRow; tokens: TokenPair }> {
  await consumeLimit('registerPerIp', clientIp);
  assertNotCommonPassword(registration.password);
  const db = await getDb();
  const username = normalizeUsername(registration.username);
  const username_key = usernameKey(username);
  const username_skeleton = usernameSkeleton(username);
  const email = normalizeEmail(registration.email);

  // Fail fast before spending bcrypt work; the unique keys still decide any race. A name
  // that looks like an existing one (same skeleton) is taken too.
  const taken = await db
    .selectFrom('users')
    .select(['username_key', 'username_skeleton', 'email'])
    .where((eb) =>
      eb.or([
        eb('username_key', '=', username_key),
        eb('username_skeleton', '=', username_skeleton),
        eb('email', '=', email),
      ]),
    )
    .limit(3)
    .execute();
  if (
    taken.some(
      (row) => row.username_key === username_key || row.username_skeleton === username_skeleton,
    )
  ) {
    throw new AppError('USERNAME_TAKEN');
  }
  if (taken.length > 0) throw new AppError('EMAIL_TAKEN');

  const now = toDbTimestamp();
  const newUser = {
    username,
    username_key,
    username_skeleton,
    email,
    password_hash: await hashPassword(registration.password),
    token_version: 0,
    created_at: now,
    updated_at: now,
  };
  try {
    // The account and its first login exist together or not at all.
    return await inTransaction(db, async (trx) => {
      const { insertId } = await trx.insertInto('users').values(newUser).executeTakeFirstOrThrow();
      const user: UserRow = {
        ...newUser,
        skeleton_tiebreak: 0,
        id: Number(insertId),
        friend_count: 0,
      };
      // The name is searchable exactly when the account exists.
      await trx.insertInto('username_grams').values(usernameGramRows(user)).execute();
      return { user, tokens: await startSession(trx, user) };
    });
  } catch (error) {
    const key = uniqueViolation(error);
    if (key?.includes('username'))
      throw new AppError('USERNAME_TAKEN', undefined, { cause: error });
    if (key?.includes('email')) throw new AppError('EMAIL_TAKEN', undefined, { cause: error });
    throw error;
  }
}

/**
 * Counts a login attempt against each login limit, cheapest refusal first: the client IP
 * (whatever account it names), the account from that IP (the main limit: an attacker's
 * guesses lock out the attacker, not the owner on another network), then the account from
 * anywhere (a much higher ceiling against guessing spread over many IPs). Every attempt
 * counts, successful or not: each costs a bcrypt check. A refused attempt stops there, so
 * it does not use up the limits after it.
 */
async function countLoginAttempt(account: string, clientIp: string): Promise<void> {
  await consumeLimit('loginPerIp', clientIp);
  await consumeLimit('loginPerAccountIp', `${account}\n${clientIp}`);
  await consumeLimit('loginPerAccount', account);
}

/**
 * Login by username or email, both without regard to case. Every attempt counts against
 * the login limits (see countLoginAttempt) before the password is checked; past a limit,
 * logins answer RATE_LIMITED, without checking the password, until the window lets them.
 * A user has at most MAX_LIVE_LOGINS logins: a new one beyond that ends the oldest, and
 * closes its WebSocket connections.
 */
export async function authenticate(
  login: string,
  password: string,
  clientIp: string,
): Promise<{ user: UserRow; tokens: TokenPair }> {
  // Usernames cannot contain '@', so the two kinds of login never collide.
  const byEmail = login.includes('@');
  const identity = byEmail ? normalizeEmail(login) : usernameKey(login);
  const db = await getDb();
  const user = byEmail
    ? await db.selectFrom('users').selectAll().where('email', '=', identity).executeTakeFirst()
    : await findUserByName(db, login);
  await countLoginAttempt(user ? `user:${user.id}` : `unknown:${identity}`, clientIp);

  const valid = await verifyPassword(password, user?.password_hash);
  if (!user || !valid) throw new AppError('INVALID_CREDENTIALS');
  const { tokens, endedLogins } = await inTransaction(db, async (trx) => {
    const started = await startSession(trx, user);
    return { tokens: started, endedLogins: await endLoginsBeyondLimit(trx, user.id) };
  });
  if (endedLogins > 0) await closeRevokedConnections(user.id);
  return { user, tokens };
}

/**
 * The user a typed name names, without regard to case or compatibility forms (fullwidth
 * `ａｌｉｃｅ` is `alice`). A name older than migration 006 may be stored under its legacy
 * key (not NFKC-normalized): typed exactly, it finds that account first.
 */
export async function findUserByName(
  db: Kysely<Database>,
  username: string,
): Promise<UserRow | undefined> {
  const keys = usernameKeyCandidates(username);
  const rows = await db.selectFrom('users').selectAll().where('username_key', 'in', keys).execute();
  return rows.find((row) => row.username_key === keys[1]) ?? rows[0];
}

/** Who a request is from: the user and the login (session) its token belongs to. */
export interface Caller {
  user: UserRow;
  sessionId: number;
}

/** The caller a bearer token speaks for, if the token is valid and not revoked. */
export async function callerForAccessToken(token: string): Promise<Caller> {
  const { claims, problem } = readAccessToken(token);
  if (!claims) throw new AppError('UNAUTHORIZED', undefined, { reason: problem });
  const db = await getDb();
  const row = await db
    .selectFrom('users')
    .innerJoin('sessions', 'sessions.user_id', 'users.id')
    .selectAll('users')
    .select([
      'sessions.revoked_at as session_revoked_at',
      'sessions.token_version as session_token_version',
    ])
    .where('users.id', '=', claims.userId)
    .where('sessions.id', '=', claims.sessionId)
    .executeTakeFirst();
  if (!row) throw new AppError('UNAUTHORIZED', undefined, { reason: 'invalid_token' });
  const { session_revoked_at, session_token_version, ...user } = row;
  // Logout revokes the session; a password change bumps token_version past both the
  // token's and the session's (a login racing the change is caught by the latter).
  const session = { revoked_at: session_revoked_at, token_version: session_token_version };
  if (!isLiveSession(session, user.token_version) || claims.tokenVersion !== user.token_version) {
    throw new AppError('UNAUTHORIZED', undefined, { reason: 'invalid_token' });
  }
  return { user, sessionId: claims.sessionId };
}

/**
 * Changes the password and revokes every earlier login (access and refresh tokens alike);
 * returns the tokens of a fresh login, the only ones still valid.
 */
export async function changePassword(
  user: UserRow,
  oldPassword: string,
  newPassword: string,
  clientIp: string,
): Promise<TokenPair> {
  // Refusals that need no bcrypt come first, and cost none: comparing the two given
  // passwords says nothing about the stored one.
  if (oldPassword === newPassword) throw new AppError('SAME_PASSWORD');
  assertNotCommonPassword(newPassword);
  // Each check of the old password counts as a login attempt of the account: a stolen
  // access token must not become an unlimited password oracle.
  await countLoginAttempt(`user:${user.id}`, clientIp);
  if (!(await verifyPassword(oldPassword, user.password_hash))) {
    throw new AppError('WRONG_PASSWORD');
  }

  const newPasswordHash = await hashPassword(newPassword);
  const db = await getDb();
  const tokens = await inTransaction(db, async (trx) => {
    const result = await trx
      .updateTable('users')
      .set((eb) => ({
        password_hash: newPasswordHash,
        token_version: eb('token_version', '+', 1),
        updated_at: toDbTimestamp(),
      }))
      .where('id', '=', user.id)
      // Another change won the race: the token this request used is no longer valid.
      .where('token_version', '=', user.token_version)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) {
      throw new AppError('UNAUTHORIZED', undefined, { reason: 'invalid_token' });
    }
    await revokeSessions(trx, { user_id: user.id });
    return startSession(trx, { id: user.id, token_version: user.token_version + 1 });
  });
  await closeRevokedConnections(user.id);
  return tokens;
}

/** Logout: the presented access token and its refresh token stop working, its sockets close. */
export async function logout(caller: Caller): Promise<void> {
  await revokeSessions(await getDb(), { id: caller.sessionId });
  await closeRevokedConnections(caller.user.id);
}
