/**
 * `npm run bench`: for each database asked for, a child process (bench/in-process.ts)
 * seeds the bench database and measures; this process merges, prints the tables and
 * writes results.json with the chart (results.svg) beside it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type, release } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { costsOnly, measureCosts } from './costs';
import type { DatabaseResults } from './in-process';
import { parseOptions, UsageError, type BenchOptions } from './options';
import { formatReport, renderChart, type BenchResults } from './report';
import { measureLongRun, type LongRunResult } from './long-run';
import type { DbType } from './types';

const projectRoot = resolve(__dirname, '..');
const cacheDir = join(projectRoot, 'bench/.cache');

/** The service's configuration for the bench database: production settings, limits on. */
function benchEnvironment(db: DbType): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DB_TYPE: db,
    SQLITE_PATH: join(cacheDir, 'bench.sqlite'),
    DB_NAME: process.env.BENCH_DB_NAME ?? 'chat_bench',
    // One connection per concurrent caller, as eight warm Lambda containers would have.
    DB_POOL_SIZE: '8',
    JWT_SECRET_KEY: 'benchmark-secret-not-for-production-0123456789',
    RATE_LIMITS: 'on',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    NODE_ENV: 'production',
  };
}

function runDatabase(db: DbType, options: BenchOptions): Promise<DatabaseResults> {
  const out = join(cacheDir, `results-${db}.json`);
  rmSync(out, { force: true });
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(projectRoot, 'bench/in-process.ts'),
      out,
      options.scale.name,
      options.stages.join(','),
      options.only.join(','),
    ],
    { cwd: projectRoot, env: benchEnvironment(db), stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`the ${db} benchmark failed (exit code ${code})`));
        return;
      }
      resolvePromise(JSON.parse(readFileSync(out, 'utf8')) as DatabaseResults);
    });
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(cacheDir, { recursive: true });
  const started = performance.now();
  const databases: DatabaseResults[] = [];
  for (const db of options.databases) {
    const results = options.stages.some((stage) => stage !== 'costs')
      ? await runDatabase(db, options)
      : costsOnly(db);
    if (options.stages.includes('costs')) {
      results.costs = await measureCosts(db, options.scale.name, (text) =>
        process.stderr.write(`${text}\n`),
      );
    }
    databases.push(results);
  }
  // The emulator's own wear over many calls (bench/long-run.ts): on the first database only,
  // since it measures serverless-offline rather than the database.
  const longRun: LongRunResult[] = [];
  const [firstDb] = options.databases;
  if (options.stages.includes('long') && firstDb !== undefined) {
    longRun.push(await measureLongRun(firstDb, options.scale.name));
  }
  // Production's database first in the report and the chart.
  databases.sort((a, b) => Number(b.db === 'mysql') - Number(a.db === 'mysql'));

  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const results: BenchResults = {
    date: new Date().toISOString().slice(0, 10),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine: {
      cpu,
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
      os: `${type()} ${release()}`,
    },
    scale: options.scale,
    databases,
  };
  const out = resolve(projectRoot, options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(longRun.length > 0 ? { ...results, longRun } : results, null, 2)}\n`,
  );
  const chart = out.replace(/\.json$/, '') + '.svg';
  writeFileSync(chart, renderChart(results));
  console.log(`\n${formatReport(results)}\n`);
  for (const run of longRun) {
    console.log(
      `Long run (${run.db}, ${run.endpoint}, 1 connection, ${run.calls} calls): ` +
        `${run.firstReqPerSec} req/s over the first ${run.window}, ${run.lastReqPerSec} over the last (×${run.ratio})\n`,
    );
  }
  console.log(
    `Wrote ${options.out} and ${basename(chart)} beside it in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? error.message : error);
  process.exitCode = 1;
});
