import { describe, expect, it } from "vitest";
import { compareCategorical, compareNumeric, decide, interiorEdges } from "../../src/drift/evaluate";
import type { CategoricalProfile, NumericProfile } from "../../src/drift/profile";

const raw = (p: number) => ({
  type: "numeric" as const,
  rows: 100,
  psi: 0.01,
  test: { name: "ks" as const, statistic: 0.1, pValue: p },
});

describe("decide", () => {
  const results = new Map([
    ["a", raw(0.004)],
    ["b", raw(0.03)],
    ["c", raw(0.5)],
  ]);

  it("Bonferroni multiplies by the number of tests", () => {
    const out = decide(results, {
      alpha: 0.05,
      psiThreshold: Number.POSITIVE_INFINITY,
      correction: "bonferroni",
    });
    expect(out.get("a")?.tests.ks?.adjustedPValue).toBeCloseTo(0.012, 15);
    expect(out.get("b")?.tests.ks?.adjustedPValue).toBeCloseTo(0.09, 15);
    expect([...out].filter(([, r]) => r.drifted).map(([n]) => n)).toEqual(["a"]);
  });

  it("Benjamini–Hochberg flags more at the same alpha (0.004·3/1, 0.03·3/2, 0.5)", () => {
    const out = decide(results, {
      alpha: 0.05,
      psiThreshold: Number.POSITIVE_INFINITY,
      correction: "fdr_bh",
    });
    expect(out.get("b")?.tests.ks?.adjustedPValue).toBeCloseTo(0.045, 15);
    expect(out.get("c")?.tests.ks?.adjustedPValue).toBe(0.5);
    expect([...out].filter(([, r]) => r.drifted).map(([n]) => n)).toEqual(["a", "b"]);
  });

  it("flags drift by PSI alone and says why", () => {
    const out = decide(new Map([["x", { ...raw(0.9), psi: 0.25 }]]), {
      alpha: 0.05,
      psiThreshold: 0.2,
      correction: "bonferroni",
    });
    expect(out.get("x")).toMatchObject({ drifted: true, reasons: ["psi"] });
  });
});

describe("compareCategorical", () => {
  const profile: CategoricalProfile = { type: "categorical", frequencies: { a: 0.5, b: 0.5, c: 0 } };

  it("keeps unseen values out of the chi-square but in PSI", () => {
    // 40 a, 40 b, 20 unseen: the known categories keep their 50/50 shape.
    const codes = Int32Array.from([...Array(40).fill(0), ...Array(40).fill(1), ...Array(20).fill(-1)]);
    const r = compareCategorical(profile, codes, 10);
    expect(r?.unseenShare).toBeCloseTo(0.2, 15);
    expect(r?.test?.name).toBe("chi2");
    // Expected per known category after flooring c at 1e-4: 80 · 0.5 / 1.0001; observed 40, 40, 0.
    const e = (80 * 0.5) / 1.0001;
    const ec = (80 * 1e-4) / 1.0001;
    expect(r?.test?.statistic).toBeCloseTo(2 * ((40 - e) ** 2 / e) + ec, 12);
    // PSI gets the unseen bucket: (0.2 - 1e-4) · ln(0.2 / 1e-4) dominates.
    expect(r?.psi).toBeGreaterThan(1.5);
  });

  it("returns no chi-square when every value is unseen, and nothing below minRows", () => {
    expect(compareCategorical(profile, Int32Array.from(Array(20).fill(-1)), 10)?.test).toBeUndefined();
    expect(compareCategorical(profile, Int32Array.from([0, 1]), 10)).toBeUndefined();
  });
});

describe("compareNumeric", () => {
  const profile: NumericProfile = {
    type: "numeric",
    binEdges: [null, 1, 2, null],
    // Right-closed bins: 0 and 1 fall in (-inf, 1], 2 in (1, 2], 3 in (2, inf).
    binFrequencies: [0.5, 0.25, 0.25],
    sample: [0, 1, 2, 3],
  };

  it("leaves non-finite values out", () => {
    const r = compareNumeric(profile, interiorEdges(profile), Float64Array.from([0, 1, 2, 3, Number.NaN]), 1);
    expect(r?.rows).toBe(4);
    expect(r?.psi).toBe(0);
    expect(r?.test).toMatchObject({ name: "ks", statistic: 0, pValue: 1 });
  });
});
