/**
 * Counters and histograms for per-request hot paths. prom-client's `inc(labels)` / `observe(labels, v)` build
 * a closure, validate and hash the label object on every call (~0.5 µs each, and a request makes several);
 * here a label set is bound once (`bind`) and each update is plain arithmetic. The series are handed to
 * prom-client's Registry at scrape time in its own format, so /metrics, `getSingleMetric(...).get()` and
 * the text exposition are unchanged.
 */
import type { Registry } from "prom-client";

type Labels<L extends string> = Readonly<Record<L, string>>;

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
  /** prom-client's histogram buckets carry an exemplar slot; null without OpenMetrics exemplars. */
  readonly exemplar?: null;
}

interface Entry<L extends string, S> {
  readonly labels: Labels<L>;
  readonly state: S;
  live: boolean;
}

interface Options<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly registers: readonly Registry[];
}

abstract class HotMetric<L extends string, S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly aggregator = "sum";
  /** Every bound series; exported once updated (`live`), as prom-client exports a series after its first update. */
  protected readonly series = new Map<string, Entry<L, S>>();

  constructor(options: Options<L>) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(options.name)) {
      throw new TypeError(`metric name '${options.name}' is not a valid Prometheus name`);
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    for (const r of options.registers) r.registerMetric(this as never);
  }

  /** prom-client exports an unlabelled metric (at 0) before its first update; so does this. */
  protected exportUnlabelled(): void {
    if (this.labelNames.length === 0) this.entryFor({} as Labels<L>).live = true;
  }

  protected entryFor(labels: Labels<L>): Entry<L, S> {
    const keys = Object.keys(labels);
    if (
      keys.length !== this.labelNames.length ||
      !this.labelNames.every((n) => typeof labels[n] === "string")
    ) {
      throw new TypeError(
        `metric ${this.name}: expected labels ${this.labelNames.join(", ")}, got ${keys.join(", ") || "none"}`,
      );
    }
    const key = this.labelNames.map((n) => labels[n]).join("\u0000");
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: { ...labels }, state: this.newState(), live: false };
      this.series.set(key, entry);
    }
    return entry;
  }

  protected abstract newState(): S;
  protected abstract clear(state: S): void;

  /** Zeroes every series in place, so bound handles stay valid (prom-client's Registry.resetMetrics calls it). */
  reset(): void {
    for (const entry of this.series.values()) {
      this.clear(entry.state);
      entry.live = false;
    }
    this.exportUnlabelled();
  }
}

/** Counters and gauges: one number per series. */
abstract class SingleValueMetric<L extends string> extends HotMetric<L, { value: number }> {
  abstract readonly type: "counter" | "gauge";

  constructor(options: Options<L>) {
    super(options);
    this.exportUnlabelled();
  }

  protected newState() {
    return { value: 0 };
  }

  protected clear(state: { value: number }): void {
    state.value = 0;
  }

  get() {
    const values: MetricValue[] = [];
    for (const { labels, state, live } of this.series.values())
      if (live) values.push({ labels: { ...labels }, value: state.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** A bound counter series: `inc` costs one addition. */
export interface CounterSeries {
  inc(value?: number): void;
}

export class HotCounter<L extends string> extends SingleValueMetric<L> {
  readonly type = "counter";

  bind(labels: Labels<L>): CounterSeries {
    const entry = this.entryFor(labels);
    const state = entry.state;
    return {
      inc(value = 1) {
        state.value += value;
        entry.live = true;
      },
    };
  }

  /** Unbound update, for cold paths. */
  inc(labels: Labels<L>, value = 1): void {
    this.bind(labels).inc(value);
  }
}

/** A bound histogram series: `observe` finds the bucket and adds, nothing else. */
export interface HistogramSeries {
  observe(value: number): void;
}

interface HistogramState {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class HotHistogram<L extends string> extends HotMetric<L, HistogramState> {
  readonly type = "histogram";
  private readonly upperBounds: Float64Array;

  constructor(options: Options<L> & { readonly buckets: readonly number[] }) {
    super(options);
    const sorted = [...options.buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => !Number.isFinite(b) || (i > 0 && b === sorted[i - 1]))) {
      throw new TypeError(`metric ${options.name}: buckets must be distinct finite numbers`);
    }
    this.upperBounds = Float64Array.from(sorted);
    this.exportUnlabelled();
  }

  protected newState(): HistogramState {
    // One slot per bucket plus +Inf; counts are per bucket here and made cumulative at scrape time.
    return { counts: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 };
  }

  protected clear(state: HistogramState): void {
    state.counts.fill(0);
    state.sum = 0;
    state.count = 0;
  }

  bind(labels: Labels<L>): HistogramSeries {
    const entry = this.entryFor(labels);
    const state = entry.state;
    const bounds = this.upperBounds;
    return {
      observe(value: number) {
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) i++;
        state.counts[i] = (state.counts[i] as number) + 1;
        state.sum += value;
        state.count++;
        entry.live = true;
      },
    };
  }

  observe(labels: Labels<L>, value: number): void {
    this.bind(labels).observe(value);
  }

  get() {
    const values: MetricValue[] = [];
    for (const { labels, state, live } of this.series.values()) {
      if (!live) continue;
      let cumulative = 0;
      for (let i = 0; i <= this.upperBounds.length; i++) {
        cumulative += state.counts[i] as number;
        const le = i < this.upperBounds.length ? (this.upperBounds[i] as number) : "+Inf";
        values.push({
          labels: { le, ...labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
          exemplar: null,
        });
      }
      values.push({ labels: { ...labels }, value: state.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: state.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** A bound gauge series. */
export interface GaugeSeries {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
}

export class HotGauge<L extends string> extends SingleValueMetric<L> {
  readonly type = "gauge";

  bind(labels: Labels<L>): GaugeSeries {
    const entry = this.entryFor(labels);
    const state = entry.state;
    return {
      set(value: number) {
        state.value = value;
        entry.live = true;
      },
      inc(value = 1) {
        state.value += value;
        entry.live = true;
      },
      dec(value = 1) {
        state.value -= value;
        entry.live = true;
      },
    };
  }
}
