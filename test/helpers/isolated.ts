import type { LambdaHandler } from '../../lib/http/handler';

export interface IsolatedContainer<K extends string> {
  handlers: Record<K, LambdaHandler>;
  /** Closes the container's database connection (call it in afterAll). */
  close: () => Promise<void>;
}

/**
 * Loads handler modules in a fresh module registry under extra environment variables:
 * what a new Lambda container with that configuration would run. Each call is another
 * "container" with its own configuration and connection, sharing the test's database.
 */
export function loadContainer<K extends string>(
  env: Record<string, string>,
  modules: Record<K, string>,
): IsolatedContainer<K> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const handlers = {} as Record<K, LambdaHandler>;
    let close: () => Promise<void> = async () => undefined;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports -- loaded under `env` */
      for (const [name, path] of Object.entries(modules) as [K, string][]) {
        handlers[name] = require(path).handler;
      }
      const closeDb: () => Promise<void> = require('../../lib/db/connection').closeDb;
      // @middy/ssm's cache schedules its refresh on a timer that would outlive the test.
      const { clearCache }: { clearCache: () => void } = require('@middy/util');
      close = async () => {
        clearCache();
        await closeDb();
      };
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    return { handlers, close };
  } finally {
    process.env = saved;
  }
}
