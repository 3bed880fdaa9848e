/**
 * The time rules are judged by (the recall window). One source, so tests can move it
 * instead of sleeping.
 */
let source: () => Date = () => new Date();

export function now(): Date {
  return source();
}

/** Replaces the clock (tests); `undefined` restores the real one. */
export function useClock(clock: (() => Date) | undefined): void {
  source = clock ?? (() => new Date());
}
