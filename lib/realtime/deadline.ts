import { setMaxListeners } from 'node:events';

/**
 * Runs `tasks` in parallel and waits for all of them, or for `ms`, whichever comes first;
 * then the signal is aborted so unfinished tasks stop. Never rejects: each outcome is
 * reported, a task cut off by the deadline as `{ status: 'timeout' }`.
 */
export type Outcome<T> =
  | { status: 'fulfilled'; value: T }
  | { status: 'rejected'; reason: unknown }
  | { status: 'timeout' };

export async function settleWithin<T>(
  ms: number,
  tasks: readonly ((signal: AbortSignal) => Promise<T>)[],
): Promise<Outcome<T>[]> {
  if (tasks.length === 0) return [];
  const controller = new AbortController();
  // Every task may listen to the one signal (the SDK adds two listeners per request): more
  // than Node's default of 10 is no leak here, as the signal lives only for this call.
  setMaxListeners(Infinity, controller.signal);
  const outcomes: Outcome<T>[] = tasks.map(() => ({ status: 'timeout' }));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  const all = Promise.all(
    tasks.map(async (task, index) => {
      try {
        outcomes[index] = { status: 'fulfilled', value: await task(controller.signal) };
      } catch (reason) {
        // A task that ends only because the deadline aborted it stays a timeout.
        if (!controller.signal.aborted) outcomes[index] = { status: 'rejected', reason };
      }
    }),
  );
  try {
    await Promise.race([all, deadline]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  // A copy: tasks still running past the deadline must not change what was reported.
  return outcomes.map((outcome) => ({ ...outcome }));
}
