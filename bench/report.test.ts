import type { DatabaseResults } from './in-process';
import { scales } from './options';
import { formatReport } from './report';
import { checkTargets } from './targets';
import { costsOnly } from './costs';
import { costCase } from './costs/case';
import type { CostResult } from './costs/types';

/** A run that measured only the costs stage, as `--only costs` leaves it. */
function costsRun(costs: CostResult[]): DatabaseResults {
  return { ...costsOnly('sqlite'), version: 'SQLite 3.51', costs };
}

const flat: CostResult = {
  area: 'read',
  ...costCase(
    'mark_read all',
    'unread messages',
    { size: 10, p50Ms: 1, p99Ms: 4 },
    { size: 100_000, p50Ms: 1.1, p99Ms: 4.4 },
  ),
};
const grows: CostResult = {
  area: 'search',
  ...costCase(
    'search 2-char Chinese keyword',
    'users',
    { size: 10, p50Ms: 1, p99Ms: 4 },
    { size: 1_000_000, p50Ms: 1.45, p99Ms: 4 },
  ),
};

it('reports each cost case with its sizes, figures and ratios', () => {
  const report = formatReport({
    date: '2026-11-26',
    durationSeconds: 1,
    machine: { cpu: 'cpu', cores: 2, memoryGiB: 24, node: 'v20', os: 'linux' },
    scale: scales.small,
    databases: [costsRun([flat, grows])],
  });
  expect(report).toContain('Costs that grow');
  expect(report).toMatch(/mark_read all\s*│?\s*10 → 100,000 unread messages/);
  expect(report).toMatch(/search 2-char Chinese keyword.*1\.45× \/ 1\.00×.*no/);
  expect(report).toContain('Targets: 1 of 2 met');
  expect(report).toContain('missed: search 2-char Chinese keyword');
});

it('judges a cost case by both ratios', () => {
  const checks = checkTargets(costsRun([flat, grows]));
  expect(checks.map((check) => [check.subject, check.value, check.met])).toEqual([
    ['mark_read all', 1.1, true],
    ['search 2-char Chinese keyword', 1.45, false],
  ]);
});
