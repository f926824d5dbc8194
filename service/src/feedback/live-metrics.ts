/**
 * Live model quality over a sliding window of the most recent labelled rows, per model version: accuracy,
 * ROC AUC and log-loss. Pure computation; the Prometheus gauges read it at scrape time.
 */

/** Probabilities are clipped so that a confident wrong answer costs a large but finite loss. */
const LOG_LOSS_EPSILON = 1e-15;

/** Share of rows whose predicted label equals the actual label; NaN for no rows. */
export function accuracy(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (actual.length === 0) return Number.NaN;
  let hits = 0;
  for (let i = 0; i < actual.length; i++) if (predicted[i] === actual[i]) hits++;
  return hits / actual.length;
}

/** Mean binary cross-entropy of positive-class probabilities against 0/1 labels; NaN for no rows. */
export function logLoss(scores: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (actual.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const p = Math.min(Math.max(scores[i] as number, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    sum += actual[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return sum / actual.length;
}

/**
 * ROC AUC via the Mann-Whitney U statistic: the probability that a random positive scores above a random
 * negative, ties counting one half (tied scores get their average rank). NaN when either class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = actual.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    const score = scores[order[start] as number];
    while (end + 1 < n && scores[order[end + 1] as number] === score) end++;
    // Ranks are 1-based; every member of a tie group gets the group's mean rank.
    const meanRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (actual[order[k] as number] === 1) {
        positives++;
        positiveRankSum += meanRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface WindowStats {
  readonly model: string;
  readonly version: string;
  readonly rows: number;
  readonly accuracy: number;
  readonly auc: number;
  readonly logLoss: number;
}

/** Fixed-size ring of the latest labelled rows of one model version. */
class Window {
  private readonly scores: Float64Array;
  private readonly predicted: Uint8Array;
  private readonly actual: Uint8Array;
  private next = 0;
  private count = 0;
  private cached: WindowStats | undefined;

  constructor(
    readonly model: string,
    readonly version: string,
    size: number,
  ) {
    this.scores = new Float64Array(size);
    this.predicted = new Uint8Array(size);
    this.actual = new Uint8Array(size);
  }

  add(score: number, predicted: number, actual: 0 | 1): void {
    this.scores[this.next] = score;
    this.predicted[this.next] = predicted === 1 ? 1 : 0;
    this.actual[this.next] = actual;
    this.next = (this.next + 1) % this.scores.length;
    this.count = Math.min(this.count + 1, this.scores.length);
    this.cached = undefined;
  }

  stats(): WindowStats {
    if (this.cached) return this.cached;
    // Order inside the window does not matter for any of the three measures.
    const scores = this.scores.subarray(0, this.count);
    const predicted = this.predicted.subarray(0, this.count);
    const actual = this.actual.subarray(0, this.count);
    this.cached = {
      model: this.model,
      version: this.version,
      rows: this.count,
      accuracy: accuracy(predicted, actual),
      auc: rocAuc(scores, actual),
      logLoss: logLoss(scores, actual),
    };
    return this.cached;
  }
}

export class LiveMetrics {
  private readonly windows = new Map<string, Window>();

  constructor(readonly windowSize: number) {}

  add(model: string, version: string, score: number, predicted: number, actual: 0 | 1): void {
    const key = `${model}\u0000${version}`;
    let window = this.windows.get(key);
    if (!window) {
      window = new Window(model, version, this.windowSize);
      this.windows.set(key, window);
    }
    window.add(score, predicted, actual);
  }

  stats(): WindowStats[] {
    return [...this.windows.values()].map((w) => w.stats());
  }
}
