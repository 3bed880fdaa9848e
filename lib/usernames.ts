import { skeleton } from './unicode/uts39';

/**
 * What a username is compared by. A name is stored NFKC-normalized (fullwidth `ａｌｉｃｅ`
 * is `alice`); its key (case-folded) identifies it for login and lookups; its skeleton
 * (UTS #39, of the key, folded again) makes look-alikes one name: `alice`, `АLICE` (Cyrillic)
 * and `a1ice` share the skeleton `alice`, so only one of them can exist. Search reads
 * n-grams of the skeleton (table username_grams), so it finds look-alikes too.
 */

/** Upper- then lower-casing folds `ß`/`SS` and ligatures; final sigma `ς` folds to `σ`. */
function fold(text: string): string {
  return text.toUpperCase().toLowerCase().replace(/ς/g, 'σ');
}

/** The form a username is stored in, and the one the rules are checked on. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/**
 * The case-insensitive identity of a username: `Alice`, `ALICE` and `ａｌｉｃｅ` are one
 * user. A name of 32 characters gives at most 96 (checked for every allowed character);
 * the column holds 128.
 */
export function usernameKey(username: string): string {
  return fold(normalizeUsername(username)).normalize('NFC');
}

/**
 * The key of names stored before migration 006, when names were not NFKC-normalized: a
 * name with compatibility characters (`ｂｏｂ`) kept the key `ｂｏｂ`.
 */
export function legacyUsernameKey(username: string): string {
  return fold(username.normalize('NFC')).normalize('NFC');
}

/** Keys a typed name may be stored under: the current one first, then the legacy one. */
export function usernameKeyCandidates(username: string): string[] {
  const keys = [usernameKey(username), legacyUsernameKey(username)];
  return keys[0] === keys[1] ? [keys[0] as string] : keys;
}

/**
 * The look-alike identity (UTS #39 skeleton of the key, folded again so `0`→`O` meets `o`),
 * in NFD. At most 7 code points per character of the name (a Hangul syllable's jamo), so
 * 224 for 32 characters; the column holds 255.
 */
export function usernameSkeleton(username: string): string {
  return fold(skeleton(usernameKey(username))).normalize('NFD');
}

/** Marks the start of a skeleton: the gram `START + "ab"` means "starts with ab". */
const START = '\u0001';

/**
 * Grams run to this many code points: a keyword this short reads its matches straight off
 * one gram's rows (its prefix gram, or itself as a substring), already in username order.
 */
export const GRAM_LENGTH = 4;

/** The distinct substrings of `length` code points of `points`. */
function substrings(points: readonly string[], length: number): string[] {
  const grams = new Set<string>();
  for (let index = 0; index + length <= points.length; index += 1) {
    grams.add(points.slice(index, index + length).join(''));
  }
  return [...grams];
}

/** The prefix gram of a skeleton: its first (up to GRAM_LENGTH) code points, marked. */
export function prefixGram(skeletonKey: string): string {
  return `${START}${[...skeletonKey].slice(0, GRAM_LENGTH).join('')}`;
}

/**
 * The grams stored for a user: every substring of the skeleton of 2 to GRAM_LENGTH code
 * points (for "contains"), and its prefixes of 1 to GRAM_LENGTH (for "starts with").
 */
export function skeletonGrams(skeletonKey: string): string[] {
  const points = [...skeletonKey];
  const grams: string[] = [];
  for (let length = 1; length <= Math.min(GRAM_LENGTH, points.length); length += 1) {
    grams.push(`${START}${points.slice(0, length).join('')}`);
    if (length >= 2) grams.push(...substrings(points, length));
  }
  return [...new Set(grams)];
}

/**
 * Grams every skeleton containing `skeletonKey` (2 code points or more) has: the keyword
 * itself up to GRAM_LENGTH, else its substrings of that length.
 */
export function containsGrams(skeletonKey: string): string[] {
  const points = [...skeletonKey];
  return points.length <= GRAM_LENGTH ? [skeletonKey] : substrings(points, GRAM_LENGTH);
}

/** The rows of username_grams for one user. */
export function usernameGramRows(user: {
  id: number;
  username_key: string;
  username_skeleton: string;
}): Array<{ user_id: number; gram: string; username_key: string }> {
  return skeletonGrams(user.username_skeleton).map((gram) => ({
    user_id: user.id,
    gram,
    username_key: user.username_key,
  }));
}
