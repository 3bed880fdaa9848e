import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, dropDatabase } from '../helpers/mysql-admin';
import { freePort } from '../helpers/ports';

const projectRoot = join(__dirname, '../..');

export interface OfflineApi {
  baseUrl: string;
  dbType: 'sqlite' | 'mysql';
  /** Everything serverless-offline printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `serverless offline` exactly as `npm start` does, on free ports, with a database
 * of its own (a temporary SQLite file, or a fresh MySQL database when DB_TYPE=mysql),
 * and waits until /api/health answers.
 */
export async function startOffline(extraEnv: Record<string, string> = {}): Promise<OfflineApi> {
  const dbType = process.env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite';
  const workDir = mkdtempSync(join(tmpdir(), 'chat-e2e-'));
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const databaseName = `chat_e2e_${runId}`;
  const buildDir = `.esbuild-e2e-${runId}`;
  if (dbType === 'mysql') await createDatabase(databaseName);

  const [port, lambdaPort, websocketPort] = [await freePort(), await freePort(), await freePort()];
  const logs: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(projectRoot, 'node_modules/serverless/bin/serverless.js'),
      'offline',
      'start',
      '--stage',
      'local',
    ],
    {
      cwd: projectRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        HOST: '127.0.0.1',
        OFFLINE_LAMBDA_PORT: String(lambdaPort),
        OFFLINE_WEBSOCKET_PORT: String(websocketPort),
        // Inside the project, so the bundles resolve the unbundled native SQLite driver.
        ESBUILD_WORK_DIR: buildDir,
        DB_TYPE: dbType,
        SQLITE_PATH: join(workDir, 'chat.sqlite'),
        DB_NAME: databaseName,
        JWT_SECRET_KEY: 'e2e-secret-that-is-long-enough-for-hs256-signing',
        BCRYPT_COST: '4',
        POWERTOOLS_LOG_LEVEL: 'WARN',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        // Every request comes from 127.0.0.1; suites that test the limits turn them on.
        RATE_LIMITS: 'off',
        ...extraEnv,
      },
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(workDir, { recursive: true, force: true });
    rmSync(join(projectRoot, buildDir), { recursive: true, force: true });
    if (dbType === 'mysql') await dropDatabase(databaseName);
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.status === 200) return { baseUrl, dbType, output: () => logs.join(''), stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`serverless-offline did not become healthy:\n${logs.join('')}`);
}
