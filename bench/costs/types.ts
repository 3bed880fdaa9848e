export interface CostPoint {
  size: number;
  p50Ms: number;
  p99Ms: number;
}
export interface CostCase {
  name: string; // e.g. "search 2-char Latin keyword"
  sizeLabel: string; // what size counts, e.g. "users", "friends", "unread messages"
  small: CostPoint;
  large: CostPoint;
  ratioP50: number; // large / small
  ratioP99: number;
  target: number; // 1.3
  met: boolean;
}

/** A case as the benchmark reports it: which area's module measured it. */
export interface CostResult extends CostCase {
  area: string;
}
