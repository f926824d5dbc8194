/**
 * Recent predictions kept for joining outcomes that arrive later: bounded by entry count (oldest evicted
 * first) and by age. Each row can be joined once, so a redelivered outcome is not counted twice.
 */
import type { PredictionEvent } from "../contracts";

export interface CachedPrediction {
  readonly model: string;
  readonly version: string;
  readonly scores: readonly number[];
  readonly labels: readonly number[];
  readonly cachedAt: number;
  /** Rows already joined to an outcome; created on the first join (most predictions never get one). */
  joined: Set<number> | undefined;
}

export type JoinResult =
  | { readonly kind: "joined"; readonly prediction: CachedPrediction; readonly row: number }
  | { readonly kind: "unmatched" }
  | { readonly kind: "duplicate" }
  | { readonly kind: "invalid"; readonly error: string };

export class JoinCache {
  private readonly entries = new Map<string, CachedPrediction & { readonly requestId: string }>();
  /**
   * Insertion order for eviction. A Map also iterates in insertion order, but V8 skips deleted slots when
   * iterating, so finding the oldest entry after many evictions costs O(evicted): 40 µs per put at 100k entries.
   * Replaced entries stay here as stale items and are skipped.
   */
  private order: (CachedPrediction & { readonly requestId: string })[] = [];
  private head = 0;

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  put(event: PredictionEvent): void {
    const now = this.now();
    const entry = {
      requestId: event.requestId,
      model: event.model,
      version: event.version,
      scores: event.scores,
      labels: event.labels,
      cachedAt: now,
      joined: undefined as Set<number> | undefined,
    };
    this.entries.set(event.requestId, entry);
    this.order.push(entry);
    this.evict(now);
  }

  /** Takes row `row` of the prediction `requestId` for joining, at most once. */
  take(requestId: string, row: number): JoinResult {
    this.evict(this.now());
    const prediction = this.entries.get(requestId);
    if (!prediction) return { kind: "unmatched" };
    if (row >= prediction.scores.length) {
      return {
        kind: "invalid",
        error: `outcome.row: got ${row}, expected a row index below ${prediction.scores.length} (rows of prediction '${requestId}')`,
      };
    }
    if (prediction.joined?.has(row)) return { kind: "duplicate" };
    // The entry stays until evicted, so a redelivered outcome is recognised as a duplicate.
    prediction.joined ??= new Set();
    prediction.joined.add(row);
    return { kind: "joined", prediction, row };
  }

  private evict(now: number): void {
    while (this.head < this.order.length) {
      const oldest = this.order[this.head] as CachedPrediction & { readonly requestId: string };
      const current = this.entries.get(oldest.requestId) === oldest;
      if (current && this.entries.size <= this.maxEntries && now - oldest.cachedAt <= this.ttlMs) break;
      if (current) this.entries.delete(oldest.requestId);
      this.head++;
    }
    // Compact now and then: drop evicted items from the front and stale (replaced) ones.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    if (this.order.length - this.head > 2 * this.maxEntries + 1024) {
      this.order = this.order.slice(this.head).filter((e) => this.entries.get(e.requestId) === e);
      this.head = 0;
    }
  }
}
