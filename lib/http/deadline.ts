import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AppError } from '../errors';

/**
 * How long before the platform would cut a function off it stops waiting and answers
 * `503 SERVICE_UNAVAILABLE` itself. A function cut off by its timeout answers nothing a
 * client can trust: API Gateway turns it into a bare 503 without our code, and
 * serverless-offline into `200` with `{"errorMessage": "[504] - Lambda timeout."}`, which
 * looks like a success. The margin leaves time to render the answer and send it.
 */
export const DEADLINE_MARGIN_MS = 1000;

/**
 * Middy's own early timeout (core's `timeoutEarlyInMillis`): the handler races a timer
 * set to the invocation's remaining time less the margin; when the timer wins, the error
 * goes through the stack's error handling like any other (contract body, headers, language).
 * The work left running is abandoned: a send that still commits is stored once, and a
 * retry with its `client_msg_id` answers it.
 */
export const deadlinePlugin: middy.PluginObject = {
  timeoutEarlyInMillis: DEADLINE_MARGIN_MS,
  timeoutEarlyResponse: () => {
    throw new AppError('SERVICE_UNAVAILABLE', undefined, {
      cause: new Error('the function ran out of time'),
    });
  },
};

let firstInvocation = true;

/**
 * serverless-offline starts a function's clock before it creates the worker and loads the
 * bundle, but the `getRemainingTimeInMillis` it hands the handler starts after. On a
 * container's first invocation locally, that start-up time (the worker's age) is taken
 * off the remaining time, so the deadline still comes before offline's. Lambda counts
 * the init phase apart from the timeout: deployed, nothing changes. Use it first.
 */
export function offlineStartupTime<TEvent, TResult, TContext extends Context>(): middy.MiddlewareObj<
  TEvent,
  TResult,
  Error,
  TContext
> {
  return {
    before: (request) => {
      if (!firstInvocation) return;
      firstInvocation = false;
      const context = request.context;
      if (process.env.IS_OFFLINE !== 'true' || typeof context.getRemainingTimeInMillis !== 'function')
        return;
      const startupMs = performance.now();
      const remaining = context.getRemainingTimeInMillis.bind(context);
      context.getRemainingTimeInMillis = () => Math.max(0, remaining() - startupMs);
    },
  };
}
