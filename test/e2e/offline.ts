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
  /** The WebSocket API (`ws://127.0.0.1:<OFFLINE_WEBSOCKET_PORT>`). */
  websocketUrl: string;
  dbType: 'sqlite' | 'mysql';
  /** The functions' settings as given to launchOffline (e.g. SQLITE_PATH, DB_NAME). */
  env: Readonly<Record<string, string>>;
  /** Everything serverless-offline printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface LaunchOptions {
  /** The functions' settings (database, secrets, limits…), over the caller's environment. */
  env: Record<string, string>;
  /** Bundle folder, relative to the project root; removed on stop. */
  buildDir: string;
  /** Runs on stop, once serverless-offline has exited (e.g. to drop a database). */
  cleanup?: () => Promise<void>;
}

/**
 * Starts serverless-offline's functions on a database of their own (a temporary SQLite
 * file, or a fresh MySQL database when DB_TYPE=mysql); see launchOffline.
 */
export async function startOffline(extraEnv: Record<string, string> = {}): Promise<OfflineApi> {
  const dbType = process.env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite';
  const workDir = mkdtempSync(join(tmpdir(), 'chat-e2e-'));
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const databaseName = `chat_e2e_${runId}`;
  if (dbType === 'mysql') await createDatabase(databaseName);
  return launchOffline({
    env: {
      DB_TYPE: dbType,
      SQLITE_PATH: join(workDir, 'chat.sqlite'),
      DB_NAME: databaseName,
      JWT_SECRET_KEY: 'e2e-secret-that-is-long-enough-for-hs256-signing',
      BCRYPT_COST: '4',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // Every request comes from 127.0.0.1; suites that test the limits turn them on.
      RATE_LIMITS: 'off',
      ...extraEnv,
    },
    buildDir: `.esbuild-e2e-${runId}`,
    cleanup: async () => {
      rmSync(workDir, { recursive: true, force: true });
      if (dbType === 'mysql') await dropDatabase(databaseName);
    },
  });
}

/**
 * Starts `serverless offline` exactly as `npm start` does, on free ports, with the given
 * environment (it creates no database), and waits until /api/health answers.
 */
export async function launchOffline({
  env,
  buildDir,
  cleanup,
}: LaunchOptions): Promise<OfflineApi> {
  const dbType = env.DB_TYPE === 'mysql' ? 'mysql' : 'sqlite';
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
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        OFFLINE_LAMBDA_PORT: String(lambdaPort),
        OFFLINE_WEBSOCKET_PORT: String(websocketPort),
        // Inside the project, so the bundles resolve the unbundled native SQLite driver.
        ESBUILD_WORK_DIR: buildDir,
        // No rebuilds mid-run: another instance writing its bundles would restart every worker.
        ESBUILD_WATCH: 'off',
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
    rmSync(join(projectRoot, buildDir), { recursive: true, force: true });
    await cleanup?.();
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const websocketUrl = `ws://127.0.0.1:${websocketPort}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.status === 200) {
        return { baseUrl, websocketUrl, dbType, env, output: () => logs.join(''), stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`serverless-offline did not become healthy:\n${logs.join('')}`);
}
