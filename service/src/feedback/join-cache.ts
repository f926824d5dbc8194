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
  /** Rows already joined to an outcome. */
  readonly joined: Set<number>;
}

export type JoinResult =
  | { readonly kind: "joined"; readonly prediction: CachedPrediction; readonly row: number }
  | { readonly kind: "unmatched" }
  | { readonly kind: "duplicate" }
  | { readonly kind: "invalid"; readonly error: string };

export class JoinCache {
  // A Map iterates in insertion order, so its first entries are the oldest.
  private readonly entries = new Map<string, CachedPrediction>();

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
    this.entries.delete(event.requestId);
    this.entries.set(event.requestId, {
      model: event.model,
      version: event.version,
      scores: event.scores,
      labels: event.labels,
      cachedAt: now,
      joined: new Set(),
    });
    this.evict(now);
  }

  /** Takes row `row` of the prediction `requestId` for joining, at most once. */
  take(requestId: string, row: number): JoinResult {
    const now = this.now();
    this.evict(now);
    const prediction = this.entries.get(requestId);
    if (!prediction) return { kind: "unmatched" };
    if (row >= prediction.scores.length) {
      return {
        kind: "invalid",
        error: `outcome.row: got ${row}, expected a row index below ${prediction.scores.length} (rows of prediction '${requestId}')`,
      };
    }
    if (prediction.joined.has(row)) return { kind: "duplicate" };
    // The entry stays until evicted, so a redelivered outcome is recognised as a duplicate.
    prediction.joined.add(row);
    return { kind: "joined", prediction, row };
  }

  private evict(now: number): void {
    while (this.entries.size > this.maxEntries) this.dropOldest();
    for (const [id, entry] of this.entries) {
      if (now - entry.cachedAt <= this.ttlMs) break;
      this.entries.delete(id);
    }
  }

  private dropOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
