import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';

const cache = new Map<string, Buffer>();

/**
 * Where files shipped beside the bundles live: the package root when deployed
 * (LAMBDA_TASK_ROOT), the project folder under serverless-offline and the tests (which
 * set LAMBDA_TASK_ROOT to a made-up path).
 */
function shippedRoot(): string {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  return taskRoot !== undefined &&
    process.env.IS_OFFLINE !== 'true' &&
    process.env.NODE_ENV !== 'test'
    ? taskRoot
    : process.cwd();
}

/**
 * A file shipped with a function (its `package.patterns` in serverless.yml), read once per
 * container. `relativePath` is fixed by the code, never taken from a request.
 */
export function shippedFile(relativePath: string): Buffer {
  const path = normalize(relativePath);
  let content = cache.get(path);
  if (content === undefined) {
    content = readFileSync(shippedPath(path));
    cache.set(path, content);
  }
  return content;
}

/** Where a file shipped with a function is (see shippedFile). */
export function shippedPath(relativePath: string): string {
  const path = normalize(relativePath);
  if (path.startsWith('..')) throw new Error(`not a shipped file: ${relativePath}`);
  return join(shippedRoot(), path);
}
