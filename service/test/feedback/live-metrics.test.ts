import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accuracy, LiveMetrics, logLoss, rocAuc } from "../../src/feedback/live-metrics";

/** Independent AUC: share of (positive, negative) pairs ranked correctly, ties counting one half. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((sn, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return pairs === 0 ? Number.NaN : wins / pairs;
}

describe("live quality measures", () => {
  it("computes accuracy as the share of matching labels", () => {
    expect(accuracy([1, 0, 1, 1], [1, 1, 1, 0])).toBe(0.5);
    expect(accuracy([], [])).toBeNaN();
  });

  it("computes log-loss as mean binary cross-entropy, clipping certain mistakes to a finite cost", () => {
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    // About -ln(1e-15); 1 - 1e-15 is not exact in floating point, hence two decimals.
    expect(logLoss([0, 1], [1, 0])).toBeCloseTo(-Math.log(1e-15), 2);
    expect(Number.isFinite(logLoss([0], [1]))).toBe(true);
  });

  it("computes ROC AUC on a textbook example", () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it("counts tied scores as one half", () => {
    // Pairs (pos, neg): 0.6>0.2, 0.6=0.6 (half), 0.9>0.2, 0.9>0.6 -> 3.5 / 4.
    expect(rocAuc([0.2, 0.6, 0.6, 0.9], [0, 0, 1, 1])).toBe(0.875);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(rocAuc([0.3, 0.3, 0.7], [1, 0, 1])).toBe(0.75);
  });

  it("answers NaN when only one class was seen", () => {
    expect(rocAuc([0.1, 0.9], [1, 1])).toBeNaN();
    expect(rocAuc([], [])).toBeNaN();
  });

  it("agrees with pairwise counting on any input, ties included", () => {
    const row = fc.record({
      score: fc.integer({ min: 0, max: 10 }).map((n) => n / 10),
      label: fc.constantFrom(0, 1),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), (rows) => {
        const scores = rows.map((r) => r.score);
        const labels = rows.map((r) => r.label);
        const expected = pairwiseAuc(scores, labels);
        const actual = rocAuc(scores, labels);
        if (Number.isNaN(expected)) expect(actual).toBeNaN();
        else expect(actual).toBeCloseTo(expected, 12);
      }),
    );
  });
});

describe("LiveMetrics", () => {
  it("keeps only the latest window of rows per model version", () => {
    const live = new LiveMetrics(3);
    // The first two rows are right, then they fall out of the window; the last three are all wrong.
    live.add("m", "1", 0.9, 1, 1);
    live.add("m", "1", 0.1, 0, 0);
    live.add("m", "1", 0.8, 1, 0);
    live.add("m", "1", 0.2, 0, 1);
    live.add("m", "1", 0.7, 1, 0);
    live.add("m", "2", 0.6, 1, 1);
    const [v1, v2] = live.stats();
    expect(v1).toMatchObject({ model: "m", version: "1", rows: 3, accuracy: 0 });
    expect(v1?.auc).toBe(0);
    expect(v1?.logLoss).toBeCloseTo(-(Math.log(0.2) + Math.log(0.2) + Math.log(0.3)) / 3, 12);
    expect(v2).toMatchObject({ model: "m", version: "2", rows: 1, accuracy: 1 });
    expect(v2?.auc).toBeNaN();
  });
});
