import type { DatabaseResults } from './in-process';

/** One of the targets, judged against one database's results. */
export interface TargetCheck {
  target: string;
  subject: string;
  value: number;
  limit: number;
  met: boolean;
}

/** Endpoints whose handler p50 must stay within 1.5x of its baseline. */
export const ratioTargets = [
  'send',
  'history',
  'history deep cursor',
  'chats',
  'last',
  'mark_read',
] as const;
export const RATIO_LIMIT = 1.5;
/** Endpoints whose p50 at full size must stay within 1.3x of p50 at the low point. */
export const scalingTargets = ['chats', 'history', 'history deep page', 'history deep cursor'];
export const SCALING_LIMIT = 1.3;
/** 1 MB, counted in SI units (the stricter reading). */
export const BUNDLE_LIMIT_BYTES = 1_000_000;
export const INIT_LIMIT_MS = 100;
/** Push: send start to message.new at the receiver's socket, p50, at each sender count. */
export const PUSH_P50_LIMIT_MS = 20;
/** Send p50 with the receiver on 2 sockets, at most this times send p50 with none. */
export const PUSH_SEND_RATIO_LIMIT = 1.3;

const round = (value: number) => Math.round(value * 100) / 100;

export function checkTargets(results: DatabaseResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const name of ratioTargets) {
    const endpoint = results.endpoints.find((entry) => entry.name === name);
    if (!endpoint) continue;
    checks.push({
      target: `handler p50 ≤ ${RATIO_LIMIT}× baseline`,
      subject: name,
      value: endpoint.ratio,
      limit: RATIO_LIMIT,
      met: endpoint.ratio <= RATIO_LIMIT,
    });
  }
  for (const entry of results.scaling.endpoints) {
    if (!scalingTargets.includes(entry.name)) continue;
    const growth = round((entry.full.handler[0]?.p50Ms ?? 0) / (entry.low.handler[0]?.p50Ms ?? 1));
    checks.push({
      target: `p50 at ${results.scaling.full.toLocaleString('en')} ≤ ${SCALING_LIMIT}× p50 at ${results.scaling.low.toLocaleString('en')} messages`,
      subject: entry.name,
      value: growth,
      limit: SCALING_LIMIT,
      met: growth <= SCALING_LIMIT,
    });
  }
  for (const cold of results.coldStart) {
    checks.push({
      target: 'bundle ≤ 1 MB',
      subject: cold.function,
      value: cold.bundleBytes,
      limit: BUNDLE_LIMIT_BYTES,
      met: cold.bundleBytes <= BUNDLE_LIMIT_BYTES,
    });
    checks.push({
      target: `module init ≤ ${INIT_LIMIT_MS} ms`,
      subject: cold.function,
      value: cold.initMs,
      limit: INIT_LIMIT_MS,
      met: cold.initMs <= INIT_LIMIT_MS,
    });
  }
  if (results.push) {
    for (const run of results.push.latency) {
      checks.push({
        target: `push p50 < ${PUSH_P50_LIMIT_MS} ms (send to frame, serverless-offline)`,
        subject: `push, ${run.concurrency} sender${run.concurrency === 1 ? '' : 's'}`,
        value: run.p50Ms,
        limit: PUSH_P50_LIMIT_MS,
        met: run.p50Ms < PUSH_P50_LIMIT_MS,
      });
    }
    const { overhead } = results.push;
    checks.push({
      target: `send p50 with ${overhead.sockets} receiver sockets ≤ ${PUSH_SEND_RATIO_LIMIT}× send p50 with none`,
      subject: 'send with push',
      value: overhead.ratio,
      limit: PUSH_SEND_RATIO_LIMIT,
      met: overhead.ratio <= PUSH_SEND_RATIO_LIMIT,
    });
  }
  for (const cost of results.costs ?? []) {
    // value: the larger of the two ratios, so one number says whether the case is met.
    checks.push({
      target: `p50 and p99 at ${cost.large.size.toLocaleString('en')} ≤ ${cost.target}× at ${cost.small.size.toLocaleString('en')} ${cost.sizeLabel}`,
      subject: cost.name,
      value: Math.max(cost.ratioP50, cost.ratioP99),
      limit: cost.target,
      met: cost.met,
    });
  }
  return checks;
}
