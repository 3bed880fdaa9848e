/**
 * The `costs` stage of `npm run bench`: for each area whose cost could grow with data a user
 * or an attacker controls (search by users, friend list by friends, mark_read by unread
 * messages), its module measures a small and a large size in a database of its own. Each
 * runs as a child process (`npx tsx bench/costs/<area>.ts --db … --scale …`, which prints
 * its cases as JSON), so its data and connections never meet the main benchmark's.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { DatabaseResults } from '../in-process';
import type { ScaleName } from '../options';
import type { DbType } from '../types';
import type { CostCase, CostResult } from './types';

export type { CostCase, CostPoint, CostResult } from './types';

export const costAreas = ['search', 'friends', 'read'] as const;
export type CostArea = (typeof costAreas)[number];

const projectRoot = resolve(__dirname, '../..');

/** The JSON array a module printed last (anything it logged before is skipped). */
export function parseCases(stdout: string): CostCase[] {
  const text = stdout.trim();
  for (let start = text.lastIndexOf('['); start >= 0; start = text.lastIndexOf('[', start - 1)) {
    try {
      const parsed: unknown = JSON.parse(text.slice(start));
      if (Array.isArray(parsed)) return parsed as CostCase[];
    } catch {
      // Not the start of the array yet: keep looking further back.
    }
  }
  throw new Error(`no cases in the output: ${text.slice(-200)}`);
}

function runArea(area: CostArea, db: DbType, scale: ScaleName): Promise<CostResult[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, `bench/costs/${area}.ts`), '--db', db, '--scale', scale],
    { cwd: projectRoot, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${area} costs on ${db}: exit code ${code}`));
      else resolvePromise(parseCases(output).map((entry) => ({ ...entry, area })));
    });
  });
}

/** Every area's cases on one database, one area after another. */
export async function measureCosts(
  db: DbType,
  scale: ScaleName,
  log: (text: string) => void,
): Promise<CostResult[]> {
  const cases: CostResult[] = [];
  for (const area of costAreas) {
    log(`[${db}] costs that grow: ${area}`);
    cases.push(...(await runArea(area, db, scale)));
  }
  return cases;
}

/** Results of a run that measured nothing but the costs stage (`--only costs`). */
export function costsOnly(db: DbType): DatabaseResults {
  return {
    db,
    version: '',
    seed: { users: 0, friendships: 0, messages: 0, lowSeconds: 0, fullSeconds: 0 },
    scaling: { low: 0, full: 0, endpoints: [] },
    endpoints: [],
    coldStart: [],
    http: [],
  };
}
