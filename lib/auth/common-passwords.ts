import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The commonly used passwords refused at register and change_password (WEAK_PASSWORD):
 * the ranked list of the most common leaked passwords that the maintained
 * @zxcvbn-ts/language-common package ships (MIT licence; about 49,000 entries, some 18,000
 * of them long enough to pass the 8-character minimum). Its entries are lower case and so
 * is the lookup: `Password123` is as guessable as `password123`.
 *
 * Built once per container, on first use, as a Set: each lookup is O(1). Functions that
 * never check a new password never build it (and their bundles drop the list).
 */
let common: ReadonlySet<string> | undefined;

export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common']);
  return common.has(password.toLowerCase());
}

/** How many passwords the list holds (documentation and tests). */
export function commonPasswordCount(): number {
  common ??= new Set(dictionary['passwords-common']);
  return common.size;
}
