/**
 * DriftMonitor: a PredictionSink that keeps the last rows of every feature and of the model's score in ring
 * buffers and, off the request path, compares each window with the reference profile.
 *
 * `record()` only copies values into preallocated typed arrays. Evaluations start from setImmediate, yield to
 * the event loop between features, and never overlap: requests arriving meanwhile keep being served.
 */
import type { Registry } from "prom-client";
import type { PredictionEvent, PredictionSink } from "../contracts";
import {
  compareCategorical,
  compareNumeric,
  decide,
  type FeatureResult,
  interiorEdges,
  type TestResult,
} from "./evaluate";
import { type DriftMetrics, driftMetrics } from "./metrics";
import type { CategoricalProfile, DriftProfile, NumericProfile } from "./profile";
import type { Correction } from "./stats";

/** Feature name used for the model's positive-class score in status, gauges and events. */
export const PREDICTION_FEATURE = "__prediction__";

export interface DriftMonitorOptions {
  /** Events of other models are ignored. */
  readonly model: string;
  readonly profile: DriftProfile;
  readonly registry: Registry;
  /** Rows per window (default 1000). */
  readonly windowSize?: number;
  /** "sliding": the last windowSize rows, evaluated every `evaluateEvery` rows; "tumbling": disjoint windows. */
  readonly mode?: "sliding" | "tumbling";
  /** Sliding mode: rows between evaluations (default windowSize / 4). */
  readonly evaluateEvery?: number;
  /** Sliding mode: also evaluate on this timer when rows arrived since the last evaluation (0 = off). */
  readonly intervalMs?: number;
  /** Sliding mode: rows needed before the first evaluation; also the per-feature minimum (default windowSize / 2). */
  readonly minRows?: number;
  /** Significance level applied to corrected p-values (default 0.05). */
  readonly alpha?: number;
  /** PSI at or above this flags drift (default 0.2; Infinity disables the PSI rule). */
  readonly psiThreshold?: number;
  readonly correction?: Correction;
  /** Called when a feature's drift status flips (the first evaluation counts as a flip from "no drift"). */
  readonly onStatusChange?: (event: DriftStatusEvent) => void;
  /** Errors of evaluations and callbacks; they never reach the request path. */
  readonly onError?: (error: unknown) => void;
}

/** A type alias (not an interface) so it is assignable to index-signature types such as feedback's DriftEvent. */
export type DriftStatusEvent = {
  readonly model: string;
  readonly version: string;
  readonly profileVersion: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly feature: string;
  readonly drifted: boolean;
  readonly previous: boolean;
  readonly psi: number;
  readonly tests: FeatureResult["tests"];
  readonly reasons: FeatureResult["reasons"];
  readonly windowRows: number;
  readonly correction: Correction;
  readonly alpha: number;
  readonly psiThreshold: number;
};

export interface DriftStatus {
  readonly model: string;
  readonly profileVersion: string;
  /** Model version of the last recorded event, if any. */
  readonly lastSeenVersion: string | null;
  readonly mode: "sliding" | "tumbling";
  readonly windowSize: number;
  readonly correction: Correction;
  readonly alpha: number;
  readonly psiThreshold: number | null;
  readonly rowsSeen: number;
  readonly rowsInWindow: number;
  readonly evaluations: number;
  readonly lastEvaluation: {
    readonly at: string;
    readonly windowRows: number;
    readonly durationMs: number;
  } | null;
  readonly drifted: boolean;
  readonly driftedFeatures: readonly string[];
  readonly features: Readonly<Record<string, FeatureResult>>;
  /** Categorical features: up to 10 distinct values never seen in the reference, most recent first. */
  readonly unseenValues: Readonly<Record<string, readonly string[]>>;
}

interface Window {
  readonly numeric: Float64Array[];
  readonly categorical: Int32Array[];
  readonly rows: number;
}

const MAX_UNSEEN_NAMES = 10;
const MAX_PENDING_WINDOWS = 2;

export class DriftMonitor implements PredictionSink {
  readonly model: string;
  readonly profile: DriftProfile;
  private readonly windowSize: number;
  private readonly mode: "sliding" | "tumbling";
  private readonly evaluateEvery: number;
  private readonly minRows: number;
  private readonly alpha: number;
  private readonly psiThreshold: number;
  private readonly correction: Correction;
  private readonly metrics: DriftMetrics;
  private readonly onStatusChange: ((event: DriftStatusEvent) => void) | undefined;
  private readonly onError: (error: unknown) => void;

  // Numeric columns: the profile's numeric features in order, then the prediction score.
  private readonly numericNames: string[] = [];
  private readonly numericProfiles: NumericProfile[] = [];
  private readonly interiors: Float64Array[] = [];
  private readonly categoricalNames: string[] = [];
  private readonly categoricalProfiles: CategoricalProfile[] = [];
  private readonly codes: Map<string, number>[] = [];
  private readonly unseen: string[][] = [];
  private numeric: Float64Array[];
  private categorical: Int32Array[];
  private pos = 0;
  private filled = 0;
  private rowsSeen = 0;
  private sinceEvaluation = 0;
  private lastSeenVersion: string | null = null;

  private readonly pending: Window[] = [];
  private running: Promise<void> | undefined;
  private rerun = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout | undefined;

  private results = new Map<string, FeatureResult>();
  private evaluations = 0;
  private lastEvaluation: DriftStatus["lastEvaluation"] = null;

  constructor(options: DriftMonitorOptions) {
    this.model = options.model;
    this.profile = options.profile;
    this.windowSize = positiveInt(options.windowSize ?? 1000, "windowSize");
    this.mode = options.mode ?? "sliding";
    if (this.mode !== "sliding" && this.mode !== "tumbling") {
      throw new RangeError(
        `DriftMonitor: mode must be "sliding" or "tumbling", got ${JSON.stringify(this.mode)}`,
      );
    }
    this.evaluateEvery = positiveInt(
      options.evaluateEvery ?? Math.max(1, this.windowSize >> 2),
      "evaluateEvery",
    );
    this.minRows = positiveInt(options.minRows ?? Math.max(1, this.windowSize >> 1), "minRows");
    if (this.minRows > this.windowSize) {
      throw new RangeError(
        `DriftMonitor: minRows (${this.minRows}) must not exceed windowSize (${this.windowSize})`,
      );
    }
    this.alpha = options.alpha ?? 0.05;
    if (!(this.alpha > 0 && this.alpha < 1))
      throw new RangeError(`DriftMonitor: alpha must be in (0, 1), got ${this.alpha}`);
    this.psiThreshold = options.psiThreshold ?? 0.2;
    if (!(this.psiThreshold > 0)) {
      throw new RangeError(`DriftMonitor: psiThreshold must be > 0, got ${this.psiThreshold}`);
    }
    this.correction = options.correction ?? "bonferroni";
    if (this.correction !== "bonferroni" && this.correction !== "fdr_bh") {
      throw new RangeError(
        `DriftMonitor: correction must be "bonferroni" or "fdr_bh", got ${this.correction}`,
      );
    }
    this.metrics = driftMetrics(options.registry);
    this.onStatusChange = options.onStatusChange;
    this.onError = options.onError ?? (() => {});

    for (const [name, f] of Object.entries(this.profile.features)) {
      if (f.type === "numeric") {
        this.numericNames.push(name);
        this.numericProfiles.push(f);
      } else {
        this.categoricalNames.push(name);
        this.categoricalProfiles.push(f);
        this.codes.push(new Map(Object.keys(f.frequencies).map((c, i) => [c, i])));
        this.unseen.push([]);
      }
    }
    this.numericNames.push(PREDICTION_FEATURE);
    this.numericProfiles.push(this.profile.prediction);
    for (const p of this.numericProfiles) this.interiors.push(interiorEdges(p));
    this.numeric = this.numericNames.map(() => new Float64Array(this.windowSize));
    this.categorical = this.categoricalNames.map(() => new Int32Array(this.windowSize));

    const interval = options.intervalMs ?? 0;
    if (interval > 0 && this.mode === "sliding") {
      this.timer = setInterval(() => {
        if (this.sinceEvaluation > 0 && this.filled >= this.minRows) this.trigger();
      }, interval);
      this.timer.unref();
    }
  }

  /** Request path: validates shapes and copies values into the ring buffers. Never throws. */
  record(event: PredictionEvent): void {
    try {
      if (this.closed || event.model !== this.model) return;
      const rows = event.scores.length;
      if (rows === 0) {
        this.drop("no_scores");
        return;
      }
      const numericCols: (readonly (number | string)[])[] = [];
      for (let f = 0; f < this.numericNames.length - 1; f++) {
        const col = event.features[this.numericNames[f] as string];
        if (col === undefined || col.length !== rows) {
          this.drop("missing_feature");
          return;
        }
        numericCols.push(col);
      }
      numericCols.push(event.scores);
      const catCols: (readonly (number | string)[])[] = [];
      for (const name of this.categoricalNames) {
        const col = event.features[name];
        if (col === undefined || col.length !== rows) {
          this.drop("missing_feature");
          return;
        }
        catCols.push(col);
      }
      this.lastSeenVersion = event.version;
      for (let r = 0; r < rows; r++) this.append(numericCols, catCols, r);
      if (
        this.mode === "sliding" &&
        this.sinceEvaluation >= this.evaluateEvery &&
        this.filled >= this.minRows
      ) {
        this.trigger();
      }
    } catch (error) {
      this.onError(error);
    }
  }

  private append(
    numericCols: (readonly (number | string)[])[],
    catCols: (readonly (number | string)[])[],
    r: number,
  ) {
    const p = this.pos;
    for (let f = 0; f < numericCols.length; f++) {
      // Math.fround: the model sees FP32, and the reference profile holds float32-representable values.
      (this.numeric[f] as Float64Array)[p] = Math.fround(Number((numericCols[f] as (number | string)[])[r]));
    }
    for (let f = 0; f < catCols.length; f++) {
      const value = String((catCols[f] as (number | string)[])[r]);
      const code = (this.codes[f] as Map<string, number>).get(value);
      (this.categorical[f] as Int32Array)[p] = code ?? -1;
      if (code === undefined) this.noteUnseen(f, value);
    }
    this.pos = (p + 1) % this.windowSize;
    if (this.filled < this.windowSize) this.filled++;
    this.rowsSeen++;
    this.sinceEvaluation++;
    if (this.mode === "tumbling" && this.pos === 0) this.closeTumblingWindow();
  }

  private noteUnseen(f: number, value: string): void {
    const list = this.unseen[f] as string[];
    const at = list.indexOf(value);
    if (at === 0) return;
    if (at > 0) list.splice(at, 1);
    list.unshift(value.length > 64 ? `${value.slice(0, 61)}...` : value);
    if (list.length > MAX_UNSEEN_NAMES) list.pop();
  }

  private closeTumblingWindow(): void {
    if (this.pending.length >= MAX_PENDING_WINDOWS) {
      this.metrics.droppedWindows.inc({ model: this.model });
    } else {
      // Swap in fresh buffers; the full ones become the pending window (no copy on the request path).
      this.pending.push({ numeric: this.numeric, categorical: this.categorical, rows: this.windowSize });
      this.numeric = this.numericNames.map(() => new Float64Array(this.windowSize));
      this.categorical = this.categoricalNames.map(() => new Int32Array(this.windowSize));
    }
    this.filled = 0;
    this.trigger();
  }

  private drop(reason: string): void {
    this.metrics.droppedEvents.inc({ model: this.model, reason });
  }

  private trigger(): void {
    if (this.closed) return;
    if (this.running !== undefined) {
      this.rerun = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    do {
      await nextTick();
      this.rerun = false;
      const window = this.mode === "tumbling" ? this.pending.shift() : this.snapshot();
      if (window !== undefined) await this.evaluate(window);
    } while (!this.closed && (this.rerun || this.pending.length > 0));
  }

  private snapshot(): Window | undefined {
    if (this.filled < this.minRows) return undefined;
    const n = this.filled;
    // Order within a window does not matter to any statistic, so the filled prefix is the window.
    return {
      numeric: this.numeric.map((col) => col.slice(0, n)),
      categorical: this.categorical.map((col) => col.slice(0, n)),
      rows: n,
    };
  }

  private async evaluate(window: Window): Promise<void> {
    const started = performance.now();
    this.sinceEvaluation = 0;
    try {
      const raw = new Map<string, NonNullable<ReturnType<typeof compareNumeric>>>();
      const minRows = Math.min(this.minRows, window.rows);
      for (let f = 0; f < this.numericNames.length; f++) {
        const r = compareNumeric(
          this.numericProfiles[f] as NumericProfile,
          this.interiors[f] as Float64Array,
          window.numeric[f] as Float64Array,
          minRows,
        );
        if (r !== undefined) raw.set(this.numericNames[f] as string, r);
        await nextTick();
      }
      for (let f = 0; f < this.categoricalNames.length; f++) {
        const r = compareCategorical(
          this.categoricalProfiles[f] as CategoricalProfile,
          window.categorical[f] as Int32Array,
          minRows,
        );
        if (r !== undefined) raw.set(this.categoricalNames[f] as string, r);
      }
      const results = decide(raw, {
        alpha: this.alpha,
        psiThreshold: this.psiThreshold,
        correction: this.correction,
      });
      const previous = this.results;
      this.results = results;
      this.evaluations++;
      const durationMs = performance.now() - started;
      this.lastEvaluation = { at: new Date().toISOString(), windowRows: window.rows, durationMs };
      this.export(results, window.rows, durationMs);
      this.metrics.evaluations.inc({ model: this.model, outcome: "ok" });
      this.announce(previous, results, window.rows);
    } catch (error) {
      this.metrics.evaluations.inc({ model: this.model, outcome: "error" });
      this.onError(error);
    }
  }

  private export(results: Map<string, FeatureResult>, rows: number, durationMs: number): void {
    const m = this.metrics;
    const model = this.model;
    for (const [feature, r] of results) {
      m.psi.set({ model, feature }, r.psi);
      m.detected.set({ model, feature }, r.drifted ? 1 : 0);
      for (const [test, t] of Object.entries(r.tests) as [string, TestResult][]) {
        m.pValue.set({ model, feature, test }, t.pValue);
        m.adjustedPValue.set({ model, feature, test }, t.adjustedPValue);
        m.statistic.set({ model, feature, test }, t.statistic);
      }
    }
    m.windowRows.set({ model }, rows);
    m.lastEvaluation.set({ model }, Date.now() / 1000);
    m.evaluationSeconds.set({ model }, durationMs / 1000);
  }

  private announce(
    previous: Map<string, FeatureResult>,
    results: Map<string, FeatureResult>,
    rows: number,
  ): void {
    if (this.onStatusChange === undefined) return;
    for (const [feature, r] of results) {
      const before = previous.get(feature)?.drifted ?? false;
      if (before === r.drifted) continue;
      try {
        this.onStatusChange({
          model: this.model,
          version: this.lastSeenVersion ?? this.profile.version,
          profileVersion: this.profile.version,
          timestamp: Date.now(),
          feature,
          drifted: r.drifted,
          previous: before,
          psi: r.psi,
          tests: r.tests,
          reasons: r.reasons,
          windowRows: rows,
          correction: this.correction,
          alpha: this.alpha,
          psiThreshold: this.psiThreshold,
        });
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** Evaluates the rows currently in the window now (also a partial tumbling window) and returns the status. */
  async evaluateNow(): Promise<DriftStatus> {
    await this.flush();
    if (this.filled > 0) {
      const n = this.filled;
      await this.evaluate({
        numeric: this.numeric.map((col) => col.slice(0, n)),
        categorical: this.categorical.map((col) => col.slice(0, n)),
        rows: n,
      });
    }
    return this.status();
  }

  /** Waits until scheduled evaluations have finished, then returns the status. */
  async flush(): Promise<DriftStatus> {
    while (this.running !== undefined) await this.running;
    return this.status();
  }

  /** JSON-serializable summary for an HTTP endpoint. */
  status(): DriftStatus {
    const features: Record<string, FeatureResult> = {};
    for (const [name, r] of this.results) features[name] = r;
    const driftedFeatures = [...this.results].filter(([, r]) => r.drifted).map(([n]) => n);
    const unseenValues: Record<string, string[]> = {};
    this.categoricalNames.forEach((name, f) => {
      if ((this.unseen[f] as string[]).length > 0) unseenValues[name] = [...(this.unseen[f] as string[])];
    });
    return {
      model: this.model,
      profileVersion: this.profile.version,
      lastSeenVersion: this.lastSeenVersion,
      mode: this.mode,
      windowSize: this.windowSize,
      correction: this.correction,
      alpha: this.alpha,
      psiThreshold: Number.isFinite(this.psiThreshold) ? this.psiThreshold : null,
      rowsSeen: this.rowsSeen,
      rowsInWindow: this.filled,
      evaluations: this.evaluations,
      lastEvaluation: this.lastEvaluation,
      drifted: driftedFeatures.length > 0,
      driftedFeatures,
      features,
      unseenValues,
    };
  }

  /** Stops the timer and new evaluations; waits for the one in progress. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    while (this.running !== undefined) await this.running;
  }
}

function positiveInt(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`DriftMonitor: ${field} must be a positive integer, got ${value}`);
  }
  return value;
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
