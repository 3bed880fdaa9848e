import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePort } from './ports';

const run = promisify(execFile);

export interface TlsMariaDb {
  port: number;
  /** The CA that signed the server's certificate (PEM file). */
  caFile: string;
  /** Another self-signed CA, which signed nothing the server presents. */
  wrongCaFile: string;
  stop: () => Promise<void>;
}

/**
 * A MariaDB of the test's own, with TLS: its own data directory, port and socket under a
 * temporary directory, and a certificate for 127.0.0.1 signed by a CA made here. The
 * shared server at 3306 is never touched. Stopped (and its files removed) by `stop`.
 */
export async function startTlsMariaDb(): Promise<TlsMariaDb> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-tls-mariadb-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });

  for (const ca of ['ca', 'wrong-ca']) {
    await openssl(
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-subj', `/CN=chat-backend test ${ca}`,
      '-keyout', file(`${ca}.key`), '-out', file(`${ca}.pem`),
    ); // prettier-ignore
  }
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
    '-keyout', file('server.key'), '-out', file('server.csr'),
  ); // prettier-ignore
  await openssl(
    'x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
    '-CAcreateserial', '-days', '2', '-extfile', file('server.ext'), '-out', file('server.pem'),
  ); // prettier-ignore

  await run('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${file('data')}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--user=root',
  ]);
  const port = await freePort();
  const server: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${file('data')}`,
      `--socket=${file('mysqld.sock')}`,
      `--pid-file=${file('mysqld.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-grant-tables',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      `--ssl-ca=${file('ca.pem')}`,
      `--ssl-cert=${file('server.pem')}`,
      `--ssl-key=${file('server.key')}`,
    ],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Up when it accepts a (plain) connection.
  for (let attempt = 0; ; attempt += 1) {
    try {
      const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' });
      await connection.end();
      break;
    } catch (error) {
      if (attempt >= 100 || server.exitCode !== null) {
        await stop();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { port, caFile: file('ca.pem'), wrongCaFile: file('wrong-ca.pem'), stop };
}
