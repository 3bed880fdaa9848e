import * as z from 'zod';
import en from 'zod/v4/locales/en.js';
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
 * Characters that show nothing: whitespace, format characters (Unicode category Cf: zero
 * width space U+200B, word joiner U+2060, BOM U+FEFF, bidi marks…) and the Hangul fillers,
 * which render as blank.
 */
const invisible = /[\s\p{Cf}\u115F\u1160\u3164\uFFA0]/gu;

/** Whether `text` would show nothing: made only of whitespace and invisible characters. */
export function isBlank(text: string): boolean {
  return text.replace(invisible, '') === '';
}

/**
 * A string of `min`-`max` characters (code points), trimmed first if `trim`. With `min` of
 * 1 or more, a string that shows nothing (only whitespace or invisible characters, see
 * isBlank) is refused too (yet stored as sent when not trimmed).
 */
export function textField(options: { min: number; max: number; trim?: boolean }) {
  const { min, max, trim = false } = options;
  const base = trim ? z.string().trim() : z.string();
  return (
    base
      // A lone surrogate cannot be stored as UTF-8: refuse it rather than store something else.
      .refine((text) => !/[\uD800-\uDFFF]/u.test(text), { error: 'MALFORMED_TEXT', abort: true })
      .refine((text) => min === 0 || !isBlank(text), { error: 'NOT_BLANK', abort: true })
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
          : `${min}–${max} characters${min > 0 ? ', not only whitespace or invisible characters' : ''}, kept as sent.`,
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

const zodLocales = { zh: { localeError: chineseIssueText }, en: en() } as const;

export function errorMapFor(language: Language): z.core.$ZodErrorMap {
  return (issue) =>
    issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')
      ? fieldTexts.REQUIRED[language]
      : zodLocales[language].localeError(issue);
}

/** JSON and zod type names in Chinese. */
const chineseTypes: Record<string, string> = {
  string: '字符串',
  number: '数字',
  int: '整数',
  bigint: '整数',
  nan: '非数字（NaN）',
  boolean: '布尔值（true 或 false）',
  object: '对象',
  array: '数组',
  null: '空值（null）',
  undefined: '空',
  date: '日期',
  symbol: '符号',
  function: '函数',
  map: '映射',
  set: '集合',
  file: '文件',
};

/** The JSON type of a value, as zod names them. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'nan' : 'number';
  return typeof value;
}

const chineseType = (name: string) => chineseTypes[name] ?? '其他类型';
const quoted = (value: unknown) => JSON.stringify(String(value));

/**
 * zod's issues in Chinese, all of them: its own zh-CN locale leaves type names (`期望 string`),
 * units and formats in English.
 */
function chineseIssueText(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `类型错误：应为${chineseType(issue.expected)}，实际为${chineseType(jsonType(issue.input))}`;
    case 'invalid_value':
      return `须为以下之一：${issue.values.map((value) => quoted(value)).join('、')}`;
    case 'too_big':
    case 'too_small': {
      const bound = issue.code === 'too_big' ? issue.maximum : issue.minimum;
      const limit = issue.code === 'too_big' ? '最多' : '至少';
      if (issue.origin === 'string') return `长度${limit} ${bound} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${limit} ${bound} 项`;
      const strict = !issue.inclusive;
      if (issue.code === 'too_big') return `不能${strict ? '大于或等于' : '大于'} ${bound}`;
      return `不能${strict ? '小于或等于' : '小于'} ${bound}`;
    }
    case 'invalid_format':
      return issue.format === 'email' ? '邮箱格式无效' : '格式无效';
    case 'not_multiple_of':
      return `须为 ${issue.divisor} 的倍数`;
    case 'unrecognized_keys':
      return `包含未知的字段：${issue.keys.map((key) => quoted(key)).join('、')}`;
    case 'invalid_key':
      return '包含无效的键';
    case 'invalid_element':
      return '包含无效的值';
    default:
      return '无效输入';
  }
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
