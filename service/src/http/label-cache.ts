/**
 * Per-label-set objects (label objects, bound metric series) built once and reused, keyed by a string of the
 * label values: binding a series validates and hashes its labels, which the request path must not pay each time.
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
