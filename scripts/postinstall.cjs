'use strict';
/**
 * `npm install`'s postinstall: applies patches/ with patch-package. The patched package
 * (serverless-offline) and patch-package are devDependencies, so an install without them
 * (`npm ci --omit=dev`) has nothing to patch and must not fail for it.
 */
const { spawnSync } = require('node:child_process');

let patchPackage;
try {
  patchPackage = require.resolve('patch-package/dist/index.js');
} catch {
  console.log('postinstall: no devDependencies, no patches to apply');
  process.exit(0);
}
const { status } = spawnSync(process.execPath, [patchPackage], { stdio: 'inherit' });
process.exit(status ?? 1);
