import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { getConfig } from './config';
import { logger } from './logger';
import { runtimeSecrets } from './secrets/middleware';

export type ScheduledHandler<R> = middy.MiddyfiedHandler<ScheduledEvent, R, Error, Context>;

/**
 * A function run on a schedule (or by hand): request-id logging, the secrets of deployed
 * stages, and the job's result
 * logged and returned. A failure is logged and rethrown, so the invocation counts as failed.
 */
export function scheduledJob<R>(name: string, run: () => Promise<R>): ScheduledHandler<R> {
  getConfig();
  return middy<ScheduledEvent, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(runtimeSecrets())
    .handler(async () => {
      const result = await run();
      logger.info(`${name} done`, { result });
      return result;
    });
}
