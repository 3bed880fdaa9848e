import type { LatencySummary } from './types';

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

export function summarize(
  latenciesMs: number[],
  concurrency: number,
  wallMs: number,
): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    ops: sorted.length,
    concurrency,
    opsPerSecond: Math.round((sorted.length / wallMs) * 1000 * 10) / 10,
    meanMs: round(total / Math.max(1, sorted.length)),
    p50Ms: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    p99Ms: round(percentile(sorted, 0.99)),
  };
}

export interface RunLimits {
  calls: number;
  concurrency: number;
  maxMs: number;
}

/** The next call, prepared outside the timing; undefined when there is nothing left to do. */
export type NextCall = () => (() => Promise<unknown>) | undefined;

/**
 * Makes up to `limits.calls` calls from `concurrency` workers, each waiting for its
 * previous call (a closed loop, like a pool of clients), and times each call alone.
 */
export async function measure(next: NextCall, limits: RunLimits): Promise<LatencySummary> {
  const latencies: number[] = [];
  const started = performance.now();
  let issued = 0;
  let exhausted = false;
  const worker = async () => {
    while (!exhausted && issued < limits.calls && performance.now() - started < limits.maxMs) {
      const call = next();
      if (!call) {
        exhausted = true;
        return;
      }
      issued += 1;
      const before = performance.now();
      await call();
      latencies.push(performance.now() - before);
    }
  };
  await Promise.all(Array.from({ length: limits.concurrency }, worker));
  return summarize(latencies, limits.concurrency, performance.now() - started);
}
