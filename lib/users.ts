import { AppError } from './errors';
import { hashPassword, verifyPassword } from './auth/password';
import { issueAccessToken, readAccessToken, type AccessToken } from './auth/tokens';
import { getDb } from './db/connection';
import { uniqueViolation } from './db/errors';
import type { UserRow } from './db/schema';
import { toDbTimestamp, toIsoTimestamp } from './db/time';

/** A user as anyone may see them. */
export interface PublicUser {
  id: number;
  username: string;
  created_at: string;
}

/** A user as they see themselves: never shown to anyone else. */
export interface SelfUser extends PublicUser {
  email: string;
}

export function publicView(user: UserRow): PublicUser {
  return { id: user.id, username: user.username, created_at: toIsoTimestamp(user.created_at) };
}

export function selfView(user: UserRow): SelfUser {
  return { ...publicView(user), email: user.email };
}

/**
 * The case-insensitive identity of a username: `Alice`, `alice` and `ALICE` are one user.
 * Upper- then lower-casing folds more than lower-casing alone (`ß`/`SS`, ligatures), and
 * the final sigma `ς` is folded to `σ`, so `ΟΔΟΣ` and `οδοσ` are one user too. A name of
 * 32 characters gives at most 96 (checked for every allowed character); the column holds 128.
 */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toUpperCase().toLowerCase().replace(/ς/g, 'σ').normalize('NFC');
}

export function normalizeEmail(email: string): string {
  return email.toLowerCase();
}

export interface Registration {
  username: string;
  email: string;
  password: string;
}

export async function registerUser(
  registration: Registration,
): Promise<{ user: UserRow; token: AccessToken }> {
  const db = await getDb();
  const username_key = usernameKey(registration.username);
  const email = normalizeEmail(registration.email);

  // Fail fast before spending bcrypt work; the unique keys still decide any race.
  const taken = await db
    .selectFrom('users')
    .select(['username_key', 'email'])
    .where((eb) => eb.or([eb('username_key', '=', username_key), eb('email', '=', email)]))
    .limit(2)
    .execute();
  if (taken.some((row) => row.username_key === username_key)) throw new AppError('USERNAME_TAKEN');
  if (taken.length > 0) throw new AppError('EMAIL_TAKEN');

  const now = toDbTimestamp();
  const newUser = {
    username: registration.username,
    username_key,
    email,
    password_hash: await hashPassword(registration.password),
    token_version: 0,
    created_at: now,
    updated_at: now,
  };
  let insertId: bigint | undefined;
  try {
    ({ insertId } = await db.insertInto('users').values(newUser).executeTakeFirstOrThrow());
  } catch (error) {
    const key = uniqueViolation(error);
    if (key?.includes('username'))
      throw new AppError('USERNAME_TAKEN', undefined, { cause: error });
    if (key?.includes('email')) throw new AppError('EMAIL_TAKEN', undefined, { cause: error });
    throw error;
  }
  const user: UserRow = { ...newUser, id: Number(insertId) };
  return { user, token: issueAccessToken(user.id, user.token_version) };
}

/** Login by username or email, both without regard to case. */
export async function authenticate(
  login: string,
  password: string,
): Promise<{ user: UserRow; token: AccessToken }> {
  const db = await getDb();
  // Usernames cannot contain '@', so the two kinds of login never collide.
  const byEmail = login.includes('@');
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where(
      byEmail ? 'email' : 'username_key',
      '=',
      byEmail ? normalizeEmail(login) : usernameKey(login),
    )
    .executeTakeFirst();
  const valid = await verifyPassword(password, user?.password_hash);
  if (!user || !valid) throw new AppError('INVALID_CREDENTIALS');
  return { user, token: issueAccessToken(user.id, user.token_version) };
}

/** The user a bearer token speaks for, if the token is valid and not revoked. */
export async function userForAccessToken(token: string): Promise<UserRow> {
  const claims = readAccessToken(token);
  if (!claims) throw new AppError('UNAUTHORIZED');
  const db = await getDb();
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', claims.userId)
    .executeTakeFirst();
  // A password change bumps token_version, which revokes every token issued before it.
  if (!user || user.token_version !== claims.tokenVersion) throw new AppError('UNAUTHORIZED');
  return user;
}

/** Changes the password and revokes every earlier token; returns the one token still valid. */
export async function changePassword(
  user: UserRow,
  oldPassword: string,
  newPassword: string,
): Promise<AccessToken> {
  if (!(await verifyPassword(oldPassword, user.password_hash)))
    throw new AppError('WRONG_PASSWORD');
  if (oldPassword === newPassword) throw new AppError('SAME_PASSWORD');

  const newPasswordHash = await hashPassword(newPassword);
  const db = await getDb();
  const result = await db
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
  if (result.numUpdatedRows === 0n) throw new AppError('UNAUTHORIZED');
  return issueAccessToken(user.id, user.token_version + 1);
}
