'use strict';

/**
 * Runs in a fresh `node` process (see cold-start.ts): loads one function bundle, invokes its
 * handler twice as Lambda would, and prints the timings and answers as one JSON line on
 * stdout.
 *
 * Usage: node cold-start-probe.cjs <bundle.js> <export> '<JSON [firstEvent, secondEvent]>'
 */
const { randomUUID } = require('node:crypto');
const { performance } = require('node:perf_hooks');

/** A Lambda context, as test/helpers/invoke.ts builds it (functions cannot travel as JSON). */
function lambdaContext() {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'chat-backend-cold-start',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:chat-backend-cold-start',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/chat-backend-cold-start',
    logStreamName: 'cold-start',
    getRemainingTimeInMillis: () => 10000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Bodies are only checked (status, error code, a frame's type): a long one is cut. */
const MAX_BODY_CHARS = 64 * 1024;

async function timedInvoke(handler, event) {
  const start = performance.now();
  const result = await handler(event, lambdaContext());
  const ms = performance.now() - start;
  // HTTP and WebSocket routes answer {statusCode, body?}; a scheduled function, its result.
  if (typeof result?.statusCode === 'number') {
    const body = typeof result.body === 'string' ? result.body.slice(0, MAX_BODY_CHARS) : undefined;
    return { ms, status: result.statusCode, body };
  }
  return { ms, result: result ?? null };
}

async function main() {
  const [bundle, exportName, eventsJson] = process.argv.slice(2);
  const [firstEvent, secondEvent] = JSON.parse(eventsJson);

  const start = performance.now();
  const handler = require(bundle)[exportName];
  const initMs = performance.now() - start;

  const first = await timedInvoke(handler, firstEvent);
  const second = await timedInvoke(handler, secondEvent);
  const result = {
    initMs,
    first,
    second,
    rssMb: process.memoryUsage().rss / (1024 * 1024),
  };
  // The database pool keeps the process alive: leave once the line is written.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
