import fc from 'fast-check';
import * as z from 'zod';
import {
  characterCount,
  errorMapFor,
  idField,
  newPasswordField,
  toFieldProblems,
  usernameField,
} from './validation';
import { isHighlyRestrictive } from '../unicode/uts39';

const parse = (schema: z.ZodType, value: unknown) =>
  schema.safeParse(value, { error: errorMapFor('en') });

describe('idField', () => {
  it.each([
    [1, 1],
    ['1', 1],
    ['0042', 42],
    [9007199254740991, 9007199254740991],
  ])('accepts %j as %j', (input, output) => {
    expect(parse(idField, input)).toEqual({ success: true, data: output });
  });

  it.each([
    0,
    -1,
    1.5,
    '1.5',
    '1e3',
    ' 1',
    '0x10',
    '',
    'abc',
    true,
    null,
    [],
    {},
    9007199254740992,
    '99999999999999999',
  ])('refuses %j', (input) => {
    const result = parse(idField, input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('ID');
  });

  it('says "is required" when missing', () => {
    const result = parse(z.object({ friend_id: idField }), {});
    expect(toFieldProblems(result.error as z.ZodError, 'en', 'body')).toEqual([
      { field: 'friend_id', message: 'is required' },
    ]);
  });

  it('yields a positive safe integer or a problem, for any JSON value (fuzz)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.stringMatching(/^\d{1,20}$/)), (input) => {
        const result = parse(idField, input);
        if (result.success) {
          expect(Number.isSafeInteger(result.data)).toBe(true);
          expect(result.data).toBeGreaterThan(0);
        } else {
          expect(result.error.issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('usernameField', () => {
  // An oracle written character by character, independent of the field's regex.
  function isValidUsername(raw: string): boolean {
    const input = raw.normalize('NFKC');
    const characters = [...input];
    return (
      isHighlyRestrictive(input) &&
      characters.length >= 2 &&
      characters.length <= 32 &&
      characters.every((character) => /[\p{L}\p{M}\p{Nd}_.-]/u.test(character)) &&
      characters.some((character) => /[\p{L}\p{Nd}]/u.test(character)) &&
      !/\p{M}/u.test(characters[0] ?? '')
    );
  }

  it('accepts exactly 2-32 letters, digits, marks, _ - . with a letter or digit, after NFKC (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 40 }),
          fc.string({
            unit: fc.constantFrom('a', '张', '_', '.', '-', '1', '\u0301', ' ', 'ａ', 'а', 'ß'),
            maxLength: 34,
          }),
        ),
        (input) => {
          expect(parse(usernameField, input).success).toBe(isValidUsername(input));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('newPasswordField', () => {
  it('accepts 8+ characters of at most 72 UTF-8 bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (input) => {
        const valid = [...input].length >= 8 && Buffer.byteLength(input) <= 72;
        expect(parse(newPasswordField, input).success).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('toFieldProblems', () => {
  it('translates schema message keys and keeps library messages localized', () => {
    const schema = z.object({ username: usernameField, age: z.number() });
    const zh = schema.safeParse({ username: '!', age: 'x' }, { error: errorMapFor('zh') });
    expect(toFieldProblems(zh.error as z.ZodError, 'zh', 'body')).toEqual([
      { field: 'username', message: '用户名须为 2-32 个字符，只能包含字母、数字、_、- 和 .' },
      { field: 'age', message: '类型错误：应为数字，实际为字符串' },
    ]);
  });
});

describe('characterCount', () => {
  it('counts code points, as [...text] does (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (text) => {
        expect(characterCount(text)).toBe([...text].length);
      }),
      { numRuns: 2000 },
    );
  });
});
