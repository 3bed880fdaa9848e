import { COMMON_PASSWORDS } from './common-passwords-list';

/**
 * The commonly used passwords refused at register and change_password (WEAK_PASSWORD):
 * the 17,950 entries of at least 8 characters (shorter ones are refused anyway) of the
 * list of most common leaked passwords that the maintained @zxcvbn-ts/language-common
 * package ships (MIT licence; source and licence in ./common-passwords-list.ts, which
 * `npm run common-passwords` regenerates). Its entries are lower case and so is the
 * lookup: `Password123` is as guessable as `password123`.
 *
 * Built once per container, on first use, as a Set: each lookup is O(1). Functions that
 * never check a new password never build it, and their bundles leave the list out.
 */
let common: ReadonlySet<string> | undefined;

function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(COMMON_PASSWORDS.split('\n'));
  return common;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/** How many passwords the list holds. */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}
