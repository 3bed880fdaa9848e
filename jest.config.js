/**
 * Two projects:
 * - `handlers`: unit tests beside lib/ code and in-process handler tests (test/handlers),
 *   against SQLite by default or MySQL with DB_TYPE=mysql (npm run test:mysql).
 * - `e2e`: serverless-offline started on free ports and driven over HTTP.
 * - `browser`: pages served by serverless-offline, driven in headless Chromium.
 * The `mysql` project holds checks that only make sense on MySQL (schema.sql parity).
 */
const transform = { '^.+\\.(t|j)s$': ['@swc/jest'] };
// Middy ships ESM only, and zod's per-locale files are ESM: let swc transform them too.
const transformIgnorePatterns = ['/node_modules/(?!(@middy|zod|@apidevtools|js-yaml)/)'];
// .cache/ holds .ci/node24-handlers' copy of the project: never part of this one's runs.
const modulePathIgnorePatterns = ['<rootDir>/.cache/'];
const common = {
  transform,
  transformIgnorePatterns,
  modulePathIgnorePatterns,
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'handlers',
      testMatch: [
        '<rootDir>/lib/**/*.test.ts',
        '<rootDir>/test/handlers/**/*.test.ts',
        '<rootDir>/test/fuzz/**/*.test.ts',
        '<rootDir>/bench/**/*.test.ts',
        '<rootDir>/test/docs/**/*.test.ts',
      ],
      setupFiles: ['<rootDir>/test/setup/env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/database.ts'],
    },
    {
      ...common,
      displayName: 'mysql',
      testMatch: ['<rootDir>/test/mysql/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/setup/mysql-env.ts', '<rootDir>/test/setup/env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/database.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
    {
      // Headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium) against serverless-offline.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser.test.ts'],
      // puppeteer-core and its launcher ship ESM only.
      transformIgnorePatterns: [
        '/node_modules/(?!(@middy|zod|puppeteer-core|@puppeteer|chromium-bidi)/)',
      ],
    },
  ],
};
