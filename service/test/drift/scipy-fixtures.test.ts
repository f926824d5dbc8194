/**
 * The drift statistics against values computed by SciPy (pipelines/drift_fixtures.py).
 * Agreement rule for every statistic and p-value v against SciPy's s:
 *   |v - s| <= 1e-9 absolute, and additionally |v - s| <= 1e-9 * |s| (relative) when 1e-300 <= s < 1e-3,
 * so tiny p-values must match to 9 significant digits, not merely be "close to 0". Below 1e-300 (subnormal
 * range, no meaningful digits left) both must be < 1e-300.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { kolmogorovSf } from "../../src/drift/kolmogorov";
import { ks2samp } from "../../src/drift/ks";
import { gammaQ } from "../../src/drift/special";
import { benjaminiHochberg, bonferroni, chisquare, histogram, psi } from "../../src/drift/stats";

const dir = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/drift");
const load = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), "utf8")) as T;

const ABS = 1e-9;
const REL = 1e-9;
const SMALL = 1e-3;

const TINY = 1e-300;
const worst = { abs: 0, rel: 0, compared: 0 };

/** Returns the error measure that must stay <= 1; > 1 means out of tolerance. */
function excess(actual: number, expected: number): number {
  const abs = Math.abs(actual - expected);
  if (expected < TINY) return actual < TINY ? 0 : Number.POSITIVE_INFINITY;
  const rel = expected < SMALL ? abs / expected : 0;
  worst.abs = Math.max(worst.abs, abs);
  worst.rel = Math.max(worst.rel, rel);
  return Math.max(abs / ABS, rel / REL);
}

function expectClose(actual: number, expected: number, what: string): void {
  worst.compared++;
  const e = excess(actual, expected);
  if (!(e <= 1))
    throw new Error(`${what}: got ${actual}, SciPy ${expected} (|diff| ${Math.abs(actual - expected)})`);
}

afterAll(() => {
  console.info(
    `SciPy fixtures: ${worst.compared} values, max |diff| ${worst.abs.toExponential(2)}, ` +
      `max relative diff (values < ${SMALL}) ${worst.rel.toExponential(2)}`,
  );
});

interface KsCase {
  name: string;
  a: number[];
  b: number[];
  statistic: number;
  pvalue: number;
  method: string;
}

describe("ks2samp matches scipy.stats.ks_2samp", () => {
  const { cases } = load<{ cases: KsCase[] }>("ks_2samp.json");
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = ks2samp(c.a, c.b);
    expect(r.method).toBe(c.method);
    expectClose(r.statistic, c.statistic, "statistic");
    expectClose(r.pValue, c.pvalue, "p-value");
  });

  it("covers exact and asymptotic methods, tiny and large p-values", () => {
    expect(cases.filter((c) => c.method === "asymp").length).toBeGreaterThanOrEqual(4);
    expect(cases.some((c) => c.pvalue < 1e-30)).toBe(true);
    expect(cases.some((c) => c.pvalue > 0.5)).toBe(true);
  });

  it("fails when a sample is empty or holds NaN", () => {
    expect(() => ks2samp([], [1])).toThrow(/must not be empty/);
    expect(() => ks2samp([1, Number.NaN], [1])).toThrow(/sample1\[1\] is NaN/);
  });
});

describe("kolmogorovSf matches scipy.stats.kstwo.sf", () => {
  const { cases } = load<{ cases: { n: number; x: number; sf: number }[] }>("kstwo.json");
  it(`agrees on ${cases.length} (n, x) points across every evaluation branch`, () => {
    for (const c of cases) expectClose(kolmogorovSf(c.n, c.x), c.sf, `kstwo.sf(${c.x}, ${c.n})`);
    expect(cases.filter((c) => c.sf > 0 && c.sf < 1e-10).length).toBeGreaterThan(10);
  });
});

describe("chisquare matches scipy.stats.chisquare", () => {
  const fx = load<{
    cases: { name: string; observed: number[]; expected: number[]; statistic: number; pvalue: number }[];
    gammaincc: { a: number; x: number; q: number }[];
  }>("chisquare.json");
  it.each(fx.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = chisquare(c.observed, c.expected);
    expectClose(r.statistic, c.statistic, "statistic");
    expectClose(r.pValue, c.pvalue, "p-value");
  });

  it(`gammaQ agrees with scipy.special.gammaincc on ${fx.gammaincc.length} points`, () => {
    for (const g of fx.gammaincc) {
      expectClose(gammaQ(g.a, g.x), g.q, `gammaincc(${g.a}, ${g.x})`);
    }
  });

  it("fails when observed and expected totals differ or sizes mismatch", () => {
    expect(() => chisquare([10, 10], [5, 10])).toThrow(/observed sum 20 and expected sum 15/);
    expect(() => chisquare([10, 10], [20])).toThrow(/2 observed frequencies but 1 expected/);
  });
});

describe("psi and corrections match the numpy / SciPy reference", () => {
  it("psi equals numpy's on quantile bins, including ties and empty bins", () => {
    const { cases } = load<{
      cases: {
        name: string;
        interior: number[];
        expected: number[];
        live: number[];
        counts: number[];
        psi: number;
      }[];
    }>("psi.json");
    for (const c of cases) {
      expect(Array.from(histogram(c.interior, c.live)), c.name).toEqual(c.counts);
      expectClose(psi(c.expected, histogram(c.interior, c.live)), c.psi, `psi ${c.name}`);
    }
  });

  it("bonferroni and Benjamini–Hochberg equal scipy.stats.false_discovery_control", () => {
    const { cases } = load<{ cases: { name: string; p: number[]; bonferroni: number[]; bh: number[] }[] }>(
      "corrections.json",
    );
    for (const c of cases) {
      const bon = bonferroni(c.p);
      const bh = benjaminiHochberg(c.p);
      for (let i = 0; i < c.p.length; i++) {
        expectClose(bon[i] as number, c.bonferroni[i] as number, `${c.name} bonferroni[${i}]`);
        expectClose(bh[i] as number, c.bh[i] as number, `${c.name} bh[${i}]`);
      }
    }
  });
});
