import * as z from 'zod';
import en from 'zod/v4/locales/en.js';
import zhCN from 'zod/v4/locales/zh-CN.js';
import type { FieldProblem } from '../errors';
import { fitsBcrypt } from '../auth/password';
import { fieldMessage, fieldText, fieldTexts, type Language } from './messages';
import { isHighlyRestrictive } from '../unicode/uts39';
import { normalizeUsername } from '../usernames';

/**
 * Request field schemas shared by the endpoints. A schema's own messages are keys of
 * `fieldTexts`, translated per request; everything else falls back to zod's localized text.
 * What a refinement checks is also stated as JSON Schema metadata (`.meta()`, from the same
 * numbers), for the API reference generated from these schemas (lib/api/openapi.ts).
 */

/** Leaves "missing" to the per-request error map, which says "is required". */
const unlessMissing =
  (key: keyof typeof fieldTexts) =>
  (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? undefined : key;

/** A positive integer ID, sent as a JSON integer or a string of digits (query strings). */
const idError = unlessMissing('ID');
export const idField = z
  .union(
    [
      z.int({ error: idError }).min(1, { error: 'ID' }),
      z.string({ error: idError }).regex(/^\d{1,16}$/, { error: 'ID' }),
    ],
    { error: idError },
  )
  .transform(Number)
  .pipe(z.int({ error: 'ID' }).min(1, { error: 'ID' }))
  .meta({ description: 'A positive integer id (a string of digits is accepted too).' });

/** A message id to continue after, or 0 for "from the start" (query strings only). */
export const afterIdField = z
  .string({ error: unlessMissing('AFTER_ID') })
  .regex(/^\d{1,16}$/, { error: 'AFTER_ID' })
  .transform(Number)
  .meta({ type: 'integer', minimum: 0 });

/**
 * 2-32 Unicode letters (with their combining marks), decimal digits, `_`, `-` or `.`; at
 * least one letter or digit, and no combining mark first (it would attach to nothing).
 * Checked on the NFKC form, which is what is stored (fullwidth `ａｌｉｃｅ` is `alice`); the
 * letters must not mix scripts beyond UTS #39's "highly restrictive" level (`аlice` with a
 * Cyrillic `а` is refused; `张三`, `李Lee2` and `田中さん` are fine).
 */
const usernamePattern = /^(?=.*[\p{L}\p{Nd}])(?!\p{M})[\p{L}\p{M}\p{Nd}_.-]{2,32}$/u;
export const usernameField = z
  .string()
  .transform(normalizeUsername)
  .pipe(
    z
      .string()
      .regex(usernamePattern, { error: 'USERNAME_FORMAT', abort: true })
      .refine(isHighlyRestrictive, { error: 'USERNAME_MIXED_SCRIPTS' }),
  )
  .meta({
    type: 'string',
    description:
      '2–32 characters after NFKC normalization (fullwidth forms become ASCII; the normalized form is stored): letters (with their combining marks), digits, `_`, `-`, `.`; at least one letter or digit; letters of one script, or Han mixed with Latin (plus Hiragana and Katakana, Bopomofo or Hangul). Unique without regard to case or look-alike characters (UTS #39 skeleton): `аlice` with a Cyrillic `а` is taken when `alice` exists.',
  });

export const emailField = z
  .string()
  .max(254, { error: 'EMAIL_FORMAT' })
  .pipe(z.email({ error: 'EMAIL_FORMAT' }))
  .meta({ format: 'email' });

const MIN_PASSWORD_LENGTH = 8;

/** At least 8 characters, at most bcrypt's 72 bytes: longer input is refused, never truncated. */
export const newPasswordField = z
  .string()
  // bcrypt stops at a NUL byte: "\0\0\0\0\0\0\0\0" would be the empty password.
  .refine((password) => !/\p{Cc}/u.test(password), { error: 'PASSWORD_CONTROL', abort: true })
  .refine((password) => characterCount(password) >= MIN_PASSWORD_LENGTH, {
    error: 'PASSWORD_TOO_SHORT',
  })
  .refine(fitsBcrypt, { error: 'PASSWORD_TOO_LONG' })
  .meta({
    minLength: MIN_PASSWORD_LENGTH,
    description: `At least ${MIN_PASSWORD_LENGTH} characters and at most 72 bytes of UTF-8 (longer passwords are refused, never truncated); no control characters.`,
  });

/** Length in characters (code points), as users count them: an emoji is one. */
export function characterCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    // A high surrogate followed by a low one is a single character.
    if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
    }
    count += 1;
  }
  return count;
}

/**
 * A string of `min`-`max` characters (code points), trimmed first if `trim`. With `min` of
 * 1 or more, a string of only whitespace is refused too (yet stored as sent when not trimmed).
 */
export function textField(options: { min: number; max: number; trim?: boolean }) {
  const { min, max, trim = false } = options;
  const base = trim ? z.string().trim() : z.string();
  return (
    base
      // A lone surrogate cannot be stored as UTF-8: refuse it rather than store something else.
      .refine((text) => !/[\uD800-\uDFFF]/u.test(text), { error: 'MALFORMED_TEXT', abort: true })
      .refine((text) => min === 0 || text.trim() !== '', { error: 'NOT_BLANK', abort: true })
      .refine(
        (text) => {
          const length = characterCount(text);
          return length >= min && length <= max;
        },
        { error: fieldMessage('LENGTH', min, max) },
      )
      // JSON Schema counts lengths in characters (code points) too.
      .meta({
        minLength: min,
        maxLength: max,
        ...(min > 0 ? { pattern: '\\S' } : {}),
        description: trim
          ? `${min}–${max} characters once surrounding whitespace is trimmed.`
          : `${min}–${max} characters${min > 0 ? ', not only whitespace' : ''}, kept as sent.`,
      })
  );
}

/** An optional whole number in a query string, `min`-`max`, `fallback` when absent. */
export function queryIntField(options: { min: number; max: number; fallback: number }) {
  const { min, max, fallback } = options;
  const message = fieldMessage('INT_RANGE', min, max);
  return z
    .string()
    .regex(/^\d{1,10}$/, { error: message })
    .transform(Number)
    .pipe(z.int().min(min, { error: message }).max(max, { error: message }))
    .default(fallback);
}

/** A password being checked, not chosen: any non-empty string of sane size. */
export const givenPasswordField = z.string().min(1, { error: 'NOT_BLANK' }).max(1024);

const zodLocales = { zh: zhCN(), en: en() } as const;

export function errorMapFor(language: Language): z.core.$ZodErrorMap {
  return (issue) =>
    issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')
      ? fieldTexts.REQUIRED[language]
      : zodLocales[language].localeError(issue);
}

/** Zod issues as the contract's `details`, in the request's language. */
export function toFieldProblems(
  error: z.ZodError,
  language: Language,
  location: string,
): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : location,
    message: fieldText(issue.message, language),
  }));
}
