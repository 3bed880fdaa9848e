'use strict';

/**
 * `npm start`: serverless-offline on the `local` stage, with the Serverless Framework's
 * telemetry and notifications turned off, as in CI and the tests. A Node script rather
 * than `VAR=… serverless …` in package.json, so it works in every shell (Windows too).
 * Extra arguments go to serverless: `npm start -- --httpPort 5002`.
 */
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const projectRoot = join(require.resolve('../package.json'), '..');

/** The environment serverless runs with: the caller's, telemetry and notifications off. */
function startEnvironment(env = process.env) {
  return { ...env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
}

function start(args = process.argv.slice(2)) {
  const serverless = join(projectRoot, 'node_modules/serverless/bin/serverless.js');
  const child = spawn(
    process.execPath,
    [serverless, 'offline', 'start', '--stage', 'local', ...args],
    { stdio: 'inherit', env: startEnvironment() },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

module.exports = { startEnvironment };
if (require.main === module) start();
