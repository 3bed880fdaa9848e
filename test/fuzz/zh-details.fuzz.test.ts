import fc from 'fast-check';
import * as z from 'zod';
import { errorMapFor, toFieldProblems } from '../../lib/http/validation';
import { httpEndpoints, wsModules } from '../../scripts/api-reference';

/**
 * Property: in Chinese, every `details` message of a refused request reads as Chinese:
 * no English word from the schema library (`期望 string`, `boolean`…). What may stay in
 * Latin letters: the field names, values the client must send as they are (quoted, or
 * the choices of an enum), and a few technical names (https, IP, UTF-8, JSON's true,
 * false and null). Random inputs for every endpoint's body and query and every frame.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 1000);

const schemas: [string, z.ZodType][] = [
  ...httpEndpoints.flatMap((module) => {
    const schema = module.handler.checks?.schema ?? {};
    return [
      ...(schema.body ? [[`${module.api.path} body`, schema.body] as [string, z.ZodType]] : []),
      ...(schema.query ? [[`${module.api.path} query`, schema.query] as [string, z.ZodType]] : []),
    ];
  }),
  ...[...wsModules.routes, wsModules.fallback].flatMap((module) => {
    const frame = module.handler.checks.frame;
    return frame ? [[`frame ${module.api.summary}`, frame] as [string, z.ZodType]] : [];
  }),
];

/** The names and literal values a schema's JSON Schema mentions (fields, enum choices). */
function namesIn(schema: z.ZodType): string[] {
  const text = JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
  return [...text.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"/g)].map((match) => match[1] ?? '');
}

const technical = ['https', 'IP', 'UTF-8', 'true', 'false', 'null', 'NaN'];

/** What is left of a message once quoted values, field names and allowed terms are removed. */
function latinLeft(message: string, allowed: readonly string[]): string[] {
  let text = message.replace(/"[^"]*"|`[^`]*`|“[^”]*”/g, '');
  for (const word of [...allowed, ...technical].sort((a, b) => b.length - a.length)) {
    text = text.replace(
      new RegExp(`(?<![A-Za-z])${word.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![A-Za-z])`, 'g'),
      '',
    );
  }
  return text.match(/[A-Za-z]+/g) ?? [];
}

const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u200B', '\u2060\uFEFF', 'x'.repeat(6000), '-1', '0', '1.5', 'abc'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
);

it.each(schemas)('%s: every Chinese detail reads as Chinese', (_, schema) => {
  const names = namesIn(schema);
  const fields = [...new Set(names)];
  const input = fc.dictionary(fc.constantFrom(...fields, 'extra'), anyValue, { maxKeys: 6 });
  fc.assert(
    fc.property(input, (value) => {
      const result = schema.safeParse(value, { error: errorMapFor('zh') });
      if (result.success) return;
      for (const problem of toFieldProblems(result.error, 'zh', 'body')) {
        expect([problem.message, latinLeft(problem.message, [...names, problem.field])]).toEqual([
          problem.message,
          [],
        ]);
      }
    }),
    { numRuns: Math.max(50, Math.round(runs / 5)) },
  );
});

it('the check finds English words', () => {
  expect(latinLeft('无效输入：期望 string，实际接收 数字', [])).toEqual(['string']);
  expect(latinLeft('须为以下之一："text"、"image"', [])).toEqual([]);
});
