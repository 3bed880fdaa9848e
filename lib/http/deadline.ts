import type middy from '@middy/core';
import { AppError } from '../errors';

/**
 * How long before the platform would cut a function off it stops waiting and answers
 * `503 SERVICE_UNAVAILABLE` itself. A function cut off by its timeout answers nothing a
 * client can trust: API Gateway turns it into a bare 503 without our code, and
 * serverless-offline into `200` with `{"errorMessage": "[504] - Lambda timeout."}`, which
 * looks like a success (and leaves that worker unusable). The margin leaves time to render
 * the answer and send it. Locally, offline's own timeout is off (serverless.yml): it would
 * also count the worker's start-up, which Lambda does not; this deadline stands in for it.
 */
export const DEADLINE_MARGIN_MS = 1000;

/**
 * Middy's own early timeout (core's `timeoutEarlyInMillis`): the handler races a timer
 * set to the invocation's remaining time less the margin; when the timer wins, the error
 * goes through the stack's error handling like any other (contract body, headers, language).
 * The work left running is abandoned: a send that still commits is stored once, and a
 * retry with its `client_msg_id` answers it. The timer starts with the handler; the
 * middlewares before it (the token check) are bounded by the database's own timeouts.
 */
export const deadlinePlugin: middy.PluginObject = {
  timeoutEarlyInMillis: DEADLINE_MARGIN_MS,
  timeoutEarlyResponse: () => {
    throw new AppError('SERVICE_UNAVAILABLE', undefined, {
      cause: new Error('the function ran out of time'),
    });
  },
};
