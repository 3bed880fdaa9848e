import { compare, hash } from 'bcryptjs';
import { getConfig } from '../config';

/** bcrypt reads at most 72 bytes; longer passwords are refused rather than truncated. */
export const PASSWORD_MAX_BYTES = 72;

export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES;
}

export function hashPassword(password: string): Promise<string> {
  if (!fitsBcrypt(password)) throw new RangeError('password longer than bcrypt accepts');
  return hash(password, getConfig().bcryptCost);
}

/**
 * A well-formed bcrypt hash at the configured cost that no password matches: checking
 * against it costs exactly what a real check costs, without hashing anything first.
 */
function unmatchableHash(cost: number): string {
  return `$2b$${String(cost).padStart(2, '0')}$${'N'.repeat(22)}${'o'.repeat(31)}`;
}

/**
 * Whether `password` matches `passwordHash`. With no hash (unknown user) or a password
 * bcrypt would truncate, it still spends the same bcrypt work and answers false, so
 * timing does not tell which accounts exist.
 */
export async function verifyPassword(
  password: string,
  passwordHash: string | undefined,
): Promise<boolean> {
  if (passwordHash !== undefined && fitsBcrypt(password)) return compare(password, passwordHash);
  await compare(password, unmatchableHash(getConfig().bcryptCost));
  return false;
}
