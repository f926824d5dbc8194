/**
 * DriftMonitor: a PredictionSink that keeps the last rows of every feature and of the model's score in ring
 * buffers and, off the request path, compares each window with the reference profile.
 *
 * `record()` only copies values into preallocated typed arrays. Evaluations start from setImmediate, yield to
 * the event loop between features, and never overlap: requests arriving meanwhile keep being served.
 */
import type { PredictionEvent, PredictionSink } from "../contracts";
import { compareCategorical, compareNumeric, decide, type FeatureResult, type TestResult } from "./evaluate";
import { type DriftMetrics, driftMetrics } from "./metrics";
import type { DriftProfile } from "./profile";
import type { Correction } from "./stats";
import type { DriftMonitorOptions, DriftStatus, DriftStatusEvent } from "./types";
import { type Layout, layoutOf, PREDICTION_FEATURE, RingBuffers, type WindowSnapshot } from "./window";

export type { DriftMonitorOptions, DriftStatus, DriftStatusEvent } from "./types";
export { PREDICTION_FEATURE };

const MAX_UNSEEN_NAMES = 10;
const MAX_PENDING_WINDOWS = 2;

export class DriftMonitor implements PredictionSink {
  readonly model: string;
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

  private layout: Layout;
  private ring: RingBuffers;
  private unseen: string[][];
  private numericScratch: ArrayLike<number | string>[] = [];
  private codeScratch: Int32Array[] = [];
  private codeBuffers: Int32Array[] = [];
  private rowsSeen = 0;
  private sinceEvaluation = 0;
  private lastSeenVersion: string | null = null;

  private readonly pending: WindowSnapshot[] = [];
  private running: Promise<void> | undefined;
  private rerun = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout | undefined;

  private results = new Map<string, FeatureResult>();
  private evaluations = 0;
  private lastEvaluation: DriftStatus["lastEvaluation"] = null;

  constructor(options: DriftMonitorOptions) {
    this.model = options.model;
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

    this.layout = layoutOf(options.profile);
    this.ring = new RingBuffers(this.layout, this.windowSize);
    this.unseen = this.layout.categoricalNames.map(() => []);
    this.resetScratch();

    const interval = options.intervalMs ?? 0;
    if (interval > 0 && this.mode === "sliding") {
      this.timer = setInterval(() => {
        if (this.sinceEvaluation > 0 && this.ring.filled >= this.minRows) this.trigger();
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
      const layout = this.layout;
      // Scratch arrays reused across calls: record() runs synchronously, so nothing else holds them.
      const numericCols = this.numericScratch;
      for (let f = 0; f < layout.numericNames.length - 1; f++) {
        const col = event.features[layout.numericNames[f] as string];
        if (col === undefined || col.length !== rows) {
          this.drop("missing_feature");
          return;
        }
        numericCols[f] = col;
      }
      numericCols[layout.numericNames.length - 1] = event.scores;
      const catCodes = this.codeScratch;
      for (let f = 0; f < layout.categoricalNames.length; f++) {
        const col = event.features[layout.categoricalNames[f] as string];
        if (col === undefined || col.length !== rows) {
          this.drop("missing_feature");
          return;
        }
      }
      for (let f = 0; f < layout.categoricalNames.length; f++) {
        catCodes[f] = this.encode(
          f,
          event.features[layout.categoricalNames[f] as string] as readonly string[],
        );
      }
      this.lastSeenVersion = event.version;
      // Column-wise copies in chunks that end where the buffer wraps (a tumbling window closes there).
      for (let r = 0; r < rows; ) {
        const n = Math.min(rows - r, this.ring.room);
        const full = this.ring.appendRows(numericCols, catCodes, r, n);
        r += n;
        this.rowsSeen += n;
        this.sinceEvaluation += n;
        if (full && this.mode === "tumbling") this.closeTumblingWindow();
      }
      if (
        this.mode === "sliding" &&
        this.sinceEvaluation >= this.evaluateEvery &&
        this.ring.filled >= this.minRows
      ) {
        this.trigger();
      }
    } catch (error) {
      this.onError(error);
    }
  }

  /** Scratch arrays sized for the current layout (the ring appends exactly this many columns). */
  private resetScratch(): void {
    this.numericScratch = this.layout.numericNames.map(() => []);
    this.codeScratch = this.layout.categoricalNames.map(() => new Int32Array(0));
    this.codeBuffers = this.layout.categoricalNames.map(() => new Int32Array(16));
  }

  /**
   * Category codes of one column; -1 for values outside the reference categories (remembered by name).
   * Written into a per-column scratch buffer that grows to the largest batch seen, so no allocation per call.
   */
  private encode(f: number, col: readonly (number | string)[]): Int32Array {
    const codes = this.layout.codes[f] as ReadonlyMap<string, number>;
    let out = this.codeBuffers[f] as Int32Array;
    if (out.length < col.length) {
      out = new Int32Array(Math.max(col.length, out.length * 2));
      this.codeBuffers[f] = out;
    }
    for (let r = 0; r < col.length; r++) {
      const value = String(col[r]);
      const code = codes.get(value);
      out[r] = code ?? -1;
      if (code === undefined) this.noteUnseen(f, value);
    }
    return out;
  }

  private noteUnseen(f: number, value: string): void {
    const list = this.unseen[f] as string[];
    const shown = value.length > 64 ? `${value.slice(0, 61)}...` : value;
    const at = list.indexOf(shown);
    if (at === 0) return;
    if (at > 0) list.splice(at, 1);
    list.unshift(shown);
    if (list.length > MAX_UNSEEN_NAMES) list.pop();
  }

  private closeTumblingWindow(): void {
    if (this.pending.length >= MAX_PENDING_WINDOWS) {
      this.metrics.droppedWindows.inc({ model: this.model });
      this.ring.clear();
    } else {
      this.pending.push(this.ring.takeFull());
    }
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

  private snapshot(): WindowSnapshot | undefined {
    return this.ring.filled < this.minRows ? undefined : this.ring.snapshot();
  }

  private async evaluate(window: WindowSnapshot): Promise<void> {
    const started = performance.now();
    const layout = window.layout;
    this.sinceEvaluation = 0;
    try {
      const raw = new Map<string, NonNullable<ReturnType<typeof compareNumeric>>>();
      const minRows = Math.min(this.minRows, window.rows);
      for (let f = 0; f < layout.numericNames.length; f++) {
        const profile = layout.numericProfiles[f];
        const interior = layout.interiors[f];
        const values = window.numeric[f];
        if (profile === undefined || interior === undefined || values === undefined) continue;
        const r = compareNumeric(profile, interior, values, minRows);
        if (r !== undefined) raw.set(layout.numericNames[f] as string, r);
        await nextTick();
      }
      for (let f = 0; f < layout.categoricalNames.length; f++) {
        const profile = layout.categoricalProfiles[f];
        const codes = window.categorical[f];
        if (profile === undefined || codes === undefined) continue;
        const r = compareCategorical(profile, codes, minRows);
        if (r !== undefined) raw.set(layout.categoricalNames[f] as string, r);
      }
      // The reference changed (setProfile) or the monitor closed (replaced after a hot swap): the verdict is stale.
      if (layout !== this.layout || this.closed) return;
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
          version: this.lastSeenVersion ?? this.layout.profile.version,
          profileVersion: this.layout.profile.version,
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
    if (this.ring.filled > 0) await this.evaluate(this.ring.snapshot());
    return this.status();
  }

  /**
   * Switches the reference (e.g. after a hot swap to a version with its own profile). The window, pending
   * windows and results start empty; no status-change events are sent for the reset.
   */
  setProfile(profile: DriftProfile): void {
    this.layout = layoutOf(profile);
    this.ring = new RingBuffers(this.layout, this.windowSize);
    this.unseen = this.layout.categoricalNames.map(() => []);
    this.resetScratch();
    this.pending.length = 0;
    this.results = new Map();
    this.sinceEvaluation = 0;
  }

  get profile(): DriftProfile {
    return this.layout.profile;
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
    this.layout.categoricalNames.forEach((name, f) => {
      if ((this.unseen[f] as string[]).length > 0) unseenValues[name] = [...(this.unseen[f] as string[])];
    });
    return {
      model: this.model,
      profileVersion: this.layout.profile.version,
      lastSeenVersion: this.lastSeenVersion,
      mode: this.mode,
      windowSize: this.windowSize,
      correction: this.correction,
      alpha: this.alpha,
      psiThreshold: Number.isFinite(this.psiThreshold) ? this.psiThreshold : null,
      rowsSeen: this.rowsSeen,
      rowsInWindow: this.ring.filled,
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
