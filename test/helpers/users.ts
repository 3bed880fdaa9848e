import { randomBytes } from 'node:crypto';
import { handler as register } from '../../functions/auth/register';
import { getDb } from '../../lib/db/connection';
import { usernameKey } from '../../lib/users';
import { invoke } from './invoke';

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** A unique, valid username for this run. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Registers a user through the real register handler. */
export async function registerUser(
  overrides: Partial<Omit<TestUser, 'id' | 'token' | 'refreshToken'>> = {},
): Promise<TestUser> {
  const username = overrides.username ?? uniqueName();
  const email = overrides.email ?? `${uniqueName('mail')}@example.com`;
  const password = overrides.password ?? 'correct horse battery';
  const response = await invoke(register, { body: { username, email, password } });
  if (response.status !== 201) {
    throw new Error(`register failed: ${response.status} ${response.rawBody}`);
  }
  return {
    id: response.body.data.user.id,
    username,
    email,
    password,
    token: response.body.data.access_token,
    refreshToken: response.body.data.refresh_token,
  };
}

/** Random lower-case letters: names built from it sort predictably and match nothing else. */
export function letterTag(length = 10): string {
  return randomBytes(length)
    .toString('hex')
    .slice(0, length)
    .replace(/\d/g, (digit) => 'ghijklmnop'[Number(digit)] ?? 'x');
}

/** The token fields of register, login, refresh and change_password answers (default TTLs). */
export const issuedTokens = {
  access_token: expect.any(String),
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: expect.any(String),
  refresh_expires_in: 2592000,
};

/** The stored row of a username (any case), straight from the database. */
export async function storedUserByName(username: string) {
  const db = await getDb();
  return db
    .selectFrom('users')
    .selectAll()
    .where('username_key', '=', usernameKey(username))
    .executeTakeFirst();
}
