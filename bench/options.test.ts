import fc from 'fast-check';
import { parseOptions, scales, UsageError } from './options';

it('defaults to the default scale, every stage, the configured database', () => {
  const options = parseOptions([]);
  expect(options.scale).toBe(scales.default);
  expect(options.stages).toEqual(['scaling', 'endpoints', 'cold', 'http', 'push', 'costs', 'long']);
  expect(options.databases).toEqual([process.env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite']);
  expect(options.out).toBe('bench/results.json');
});

it('reads every option, with or without =', () => {
  const options = parseOptions([
    '--db',
    'both',
    '--scale=small',
    '--skip',
    'http,cold,push,costs,long',
    '--only=send, history',
    '--out',
    '/tmp/x.json',
  ]);
  expect(options).toEqual({
    databases: ['sqlite', 'mysql'],
    scale: scales.small,
    stages: ['scaling', 'endpoints'],
    only: ['send', 'history'],
    out: '/tmp/x.json',
  });
});

it('runs only the stages named in --only; the other names still pick endpoints', () => {
  expect(parseOptions(['--only', 'push'])).toMatchObject({ stages: ['push'], only: [] });
  expect(parseOptions(['--only', 'endpoints,send'])).toMatchObject({
    stages: ['endpoints'],
    only: ['send'],
  });
  expect(parseOptions(['--only', 'http,push', '--skip', 'http'])).toMatchObject({
    stages: ['push'],
  });
  expect(parseOptions(['--skip', 'push']).stages).toEqual([
    'scaling',
    'endpoints',
    'cold',
    'http',
    'costs',
    'long',
  ]);
});

it.each([
  [['--db', 'postgres']],
  [['--scale', 'huge']],
  [['--skip', 'everything']],
  [['--color', 'red']],
  [['--db']],
  [['small']],
  [['--help']],
])('refuses %j with the usage', (argv) => {
  expect(() => parseOptions(argv)).toThrow(UsageError);
});

it('answers any argument list with options or a usage error, nothing else', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(fc.string(), fc.constantFrom('--db', '--scale', 'small', 'mysql', '--only')),
      ),
      (argv) => {
        try {
          parseOptions(argv);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
        }
      },
    ),
  );
});
