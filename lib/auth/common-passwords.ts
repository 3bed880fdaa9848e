import { shippedFile } from '../http/static';

/** Shipped beside register and change_password (serverless.yml package.patterns). */
export const COMMON_PASSWORDS_FILE = 'lib/auth/common-passwords.txt';

/**
 * The commonly used passwords refused at register and change_password (WEAK_PASSWORD):
 * the 17,950 entries of at least 8 characters (shorter ones are refused anyway) of the
 * list of most common leaked passwords that the maintained @zxcvbn-ts/language-common
 * package ships (MIT licence; source and licence in the header of ./common-passwords.txt,
 * which `npm run common-passwords` regenerates). Its entries are lower case and so is the
 * lookup: `Password123` is as guessable as `password123`.
 *
 * Built once per container, on first use, as a Set: each lookup is O(1). Functions that
 * never check a new password never read it; no bundle carries it.
 */
let common: ReadonlySet<string> | undefined;

function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(commonPasswordList());
  return common;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/** How many passwords the list holds. */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}

/** The list as shipped: after its header (`#` lines) and one empty line, one per line. */
export function commonPasswordList(): string[] {
  const text = shippedFile(COMMON_PASSWORDS_FILE).toString('utf8');
  return text
    .slice(text.indexOf('\n\n') + 2)
    .split('\n')
    .filter((line) => line !== '');
}
