/**
 * Prometheus label objects built once per label set and reused. prom-client walks and hashes the label object on
 * every inc/observe; handing it the same object each time (stable shape, warm inline caches) instead of a fresh
 * one per request measured ~10 µs less CPU per inference request for the five hot-path updates.
 */
export class LabelCache<T extends object> {
  private readonly cache = new Map<string, T>();

  /** `limit` bounds memory if label values ever come from clients; past it, objects are built per call. */
  constructor(private readonly limit = 10_000) {}

  get(key: string, make: () => T): T {
    let labels = this.cache.get(key);
    if (labels === undefined) {
      labels = make();
      if (this.cache.size < this.limit) this.cache.set(key, labels);
    }
    return labels;
  }
}
