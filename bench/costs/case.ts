/**
 * What every cost module shares: the target, how a size's latencies become a point and two
 * points a case, and the command line (`npx tsx bench/costs/<area>.ts --db … --scale …`),
 * which runs the module on a database of its own and prints its cases as JSON.
 */
import { join, resolve } from 'node:path';
import { percentile } from '../measure';
import type { ScaleName } from '../options';
import type { DbType } from '../types';
import type { CostCase, CostPoint } from './types';

/** The large size's p50 and p99 within this factor of the small size's. */
export const COST_TARGET = 1.3;

const toMicroseconds = (ms: number) => Math.round(ms * 1000) / 1000;
const toHundredths = (ratio: number) => Math.round(ratio * 100) / 100;

/** p50 and p99 of one size's latencies (ms, any order). */
export function costPoint(size: number, latencies: readonly number[]): CostPoint {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    size,
    p50Ms: toMicroseconds(percentile(sorted, 0.5)),
    p99Ms: toMicroseconds(percentile(sorted, 0.99)),
  };
}

/** A case from its two sizes: the ratios, and whether both are within the target. */
export function costCase(
  name: string,
  sizeLabel: string,
  small: CostPoint,
  large: CostPoint,
): CostCase {
  const ratioP50 = toHundredths(large.p50Ms / small.p50Ms);
  const ratioP99 = toHundredths(large.p99Ms / small.p99Ms);
  return {
    name,
    sizeLabel,
    small,
    large,
    ratioP50,
    ratioP99,
    target: COST_TARGET,
    met: ratioP50 <= COST_TARGET && ratioP99 <= COST_TARGET,
  };
}

function argument(name: string, allowed: readonly string[], fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : fallback;
  if (value === undefined || !allowed.includes(value)) {
    throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  }
  return value;
}

/**
 * A cost module's command line: `--db sqlite|mysql --scale small|default`, a database of
 * the area's own (never the main benchmark's), the cases printed as JSON.
 */
export function runCostModule(
  area: string,
  measure: (db: DbType, scale: ScaleName) => Promise<CostCase[]>,
  env: Record<string, string> = {},
): void {
  const db = argument('db', ['sqlite', 'mysql'], 'sqlite') as DbType;
  const scale = argument('scale', ['small', 'default'], 'small') as ScaleName;
  Object.assign(process.env, {
    DB_TYPE: db,
    SQLITE_PATH: join(resolve(__dirname, '..', '.cache'), `costs-${area}.sqlite`),
    DB_NAME: `${process.env.BENCH_DB_NAME ?? 'chat_bench'}_costs_${area}`,
    JWT_SECRET_KEY: 'benchmark-secret-not-for-production-0123456789',
    RATE_LIMITS: 'off',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...env,
  });
  measure(db, scale)
    .then((cases) => {
      console.log(JSON.stringify(cases, null, 2));
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
