import { CONFUSABLES, SCRIPTS } from './uts39-data';

/**
 * Unicode Technical Standard #39 (security mechanisms) as far as usernames need it: the
 * confusable skeleton (section 4) and the "highly restrictive" mixed-script level (5.2).
 * Data: ./uts39-data.ts, generated from the Unicode files by scripts/generate-uts39-data.ts.
 */

let prototypes: Map<string, string> | undefined;

function prototypeMap(): Map<string, string> {
  if (!prototypes) {
    prototypes = new Map();
    for (const line of CONFUSABLES.split('\n')) {
      const tab = line.indexOf('\t');
      prototypes.set(line.slice(0, tab), line.slice(tab + 1));
    }
  }
  return prototypes;
}

/** skeleton(X): NFD, each character replaced by its prototype, NFD again. */
export function skeleton(text: string): string {
  const map = prototypeMap();
  let mapped = '';
  for (const char of text.normalize('NFD')) mapped += map.get(char) ?? char;
  return mapped.normalize('NFD');
}

/** Characters of every script (Common) or of the one they attach to (Inherited). */
const anyScript = /[\p{Script_Extensions=Zyyy}\p{Script_Extensions=Zinh}]/u;

let scriptTests: Array<{ code: string; test: RegExp }> | undefined;

function scriptsOf(char: string): string[] {
  if (!scriptTests) {
    scriptTests = [];
    for (const code of SCRIPTS.split(' ')) {
      try {
        scriptTests.push({ code, test: new RegExp(`\\p{Script_Extensions=${code}}`, 'u') });
      } catch {
        // A script newer than this runtime's Unicode: no character of it is known either.
      }
    }
  }
  return scriptTests.filter(({ test }) => test.test(char)).map(({ code }) => code);
}

/** The script sets UTS #39 lets a "highly restrictive" identifier combine. */
const allowedCombinations = [
  ['Latn', 'Hani', 'Hira', 'Kana'],
  ['Latn', 'Hani', 'Bopo'],
  ['Latn', 'Hani', 'Hang'],
].map((codes) => new Set(codes));

/**
 * UTS #39 "highly restrictive": every character (Common and Inherited ones aside) shares
 * one script, or the name is covered by Latin + Han + Hiragana + Katakana, Latin + Han +
 * Bopomofo or Latin + Han + Hangul. `张三`, `Alice2`, `李Lee` and `田中さん` pass; `аlice`
 * (Cyrillic а) and `pаypal` fail.
 */
export function isHighlyRestrictive(text: string): boolean {
  const sets: string[][] = [];
  for (const char of text) {
    if (!anyScript.test(char)) sets.push(scriptsOf(char));
  }
  if (sets.length === 0) return true;
  const [first = [], ...rest] = sets;
  if (first.some((code) => rest.every((set) => set.includes(code)))) return true;
  return allowedCombinations.some((allowed) =>
    sets.every((set) => set.some((code) => allowed.has(code))),
  );
}
