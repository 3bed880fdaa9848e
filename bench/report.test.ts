import type { DatabaseResults } from './in-process';
import { scales } from './options';
import { formatReport } from './report';
import { checkTargets } from './targets';
import type { CostResult } from './costs/types';

/** A run that measured only the costs stage, as `--only costs` leaves it. */
function costsRun(costs: CostResult[]): DatabaseResults {
  return {
    db: 'sqlite',
    version: 'SQLite 3.51',
    seed: { users: 0, friendships: 0, messages: 0, lowSeconds: 0, fullSeconds: 0 },
    scaling: { low: 0, full: 0, endpoints: [] },
    endpoints: [],
    coldStart: [],
    http: [],
    costs,
  };
}

const flat: CostResult = {
  area: 'read',
  name: 'mark_read all',
  sizeLabel: 'unread messages',
  small: { size: 10, p50Ms: 1, p99Ms: 4 },
  large: { size: 100_000, p50Ms: 1.1, p99Ms: 4.4 },
  ratioP50: 1.1,
  ratioP99: 1.1,
  target: 1.3,
  met: true,
};
const grows: CostResult = {
  ...flat,
  area: 'search',
  name: 'search 2-char Chinese keyword',
  sizeLabel: 'users',
  large: { size: 1_000_000, p50Ms: 1.45, p99Ms: 4 },
  ratioP50: 1.45,
  ratioP99: 1,
  met: false,
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
