import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start` runs serverless-offline with the framework's telemetry and notifications off,
 * as CI does, in every shell (a Node launcher, no `VAR=…` prefix); and the Quick start tells
 * that rate limits apply locally too and how to turn them off.
 */
const projectRoot = join(__dirname, '../..');
const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

it('npm start runs the launcher', () => {
  expect(packageJson.scripts.start).toBe('node scripts/start.cjs');
});

it('the launcher turns telemetry and notifications off, whatever the shell had', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script
  const { startEnvironment } = require('../../scripts/start.cjs') as {
    startEnvironment: (env: Record<string, string>) => Record<string, string>;
  };
  expect(startEnvironment({ PATH: '/bin', SLS_TELEMETRY_DISABLED: '' })).toEqual({
    PATH: '/bin',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  });
});

it.each([
  ['README.md', '## Quick start'],
  ['README.zh-CN.md', '## 快速开始'],
])(
  '%s: the Quick start says rate limits apply locally and how to turn them off',
  (name, heading) => {
    const text = readFileSync(join(projectRoot, name), 'utf8');
    const start = text.indexOf(heading);
    const quickStart = text.slice(start, text.indexOf('\n## ', start + heading.length));
    expect(quickStart).toContain('RATE_LIMITS=off');
    expect(quickStart).toContain('429 RATE_LIMITED');
  },
);
