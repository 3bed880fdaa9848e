import { createPool } from 'mysql2';
import { loadConfig } from '../../lib/config';
import { mysqlPoolOptions } from '../../lib/db/connection';
import { startTlsMariaDb, type TlsMariaDb } from '../helpers/tls-mariadb';

/**
 * DB_SSL: the service's connections verify the server's certificate (the path deployed
 * stages take with the Amazon RDS CA bundle), against a MariaDB of this test's own with TLS
 * and a CA made here. A server the CA did not sign is refused, never used unverified.
 */
let server: TlsMariaDb;

jest.setTimeout(120_000);

beforeAll(async () => {
  server = await startTlsMariaDb();
});

afterAll(async () => {
  await server?.stop();
});

/** Connects as the service would with this DB_SSL; returns the session's TLS cipher. */
async function cipherWith(dbSsl: string): Promise<string> {
  const config = loadConfig({
    DB_TYPE: 'mysql',
    DB_HOST: '127.0.0.1',
    DB_PORT: String(server.port),
    DB_USER: 'root',
    DB_NAME: 'mysql',
    DB_SSL: dbSsl,
    NODE_ENV: 'test',
  });
  if (config.db.type !== 'mysql') throw new Error('expected mysql');
  const pool = createPool(mysqlPoolOptions(config.db)).promise();
  try {
    const [rows] = await pool.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    return String((rows as { Value: string }[])[0]?.Value ?? '');
  } finally {
    await pool.end();
  }
}

it('connects over TLS when the server certificate chains to the configured CA', async () => {
  expect(await cipherWith(server.caFile)).not.toBe('');
});

it('refuses a server its CA did not sign (a wrong CA file, or the RDS bundle)', async () => {
  await expect(cipherWith(server.wrongCaFile)).rejects.toThrow(
    /self[- ]signed|unable to verify|certificate/i,
  );
  // What deployed stages use by default: this server is no RDS instance.
  await expect(cipherWith('rds')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
});

it('without DB_SSL (local runs) connects in plain text, as before', async () => {
  expect(await cipherWith('off')).toBe('');
});
