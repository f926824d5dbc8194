/**
 * Compares one window of live values with the reference profile. Pure functions: the monitor snapshots its
 * ring buffers and calls these off the request path.
 */
import { ks2samp } from "./ks";
import type { CategoricalProfile, NumericProfile } from "./profile";
import { adjust, type Correction, chisquare, histogram, PSI_EPSILON, psi } from "./stats";

export interface TestResult {
  readonly statistic: number;
  readonly pValue: number;
  /** After the multiple-testing correction across every test of the evaluation. */
  readonly adjustedPValue: number;
}

export interface FeatureResult {
  readonly type: "numeric" | "categorical";
  /** Values that entered the comparison (non-finite numeric values are left out). */
  readonly rows: number;
  readonly psi: number;
  readonly tests: { readonly ks?: TestResult; readonly chi2?: TestResult };
  readonly drifted: boolean;
  /** Why `drifted` is true: the PSI threshold, the corrected p-value, or both. */
  readonly reasons: readonly ("psi" | "p_value")[];
  /** Categorical only: share of values outside the reference categories. */
  readonly unseenShare?: number;
}

interface RawResult {
  type: "numeric" | "categorical";
  rows: number;
  psi: number;
  test?: { name: "ks" | "chi2"; statistic: number; pValue: number };
  unseenShare?: number;
}

/** Interior edges (the profile's edges without the open null ends). */
export function interiorEdges(profile: NumericProfile): Float64Array {
  return Float64Array.from(profile.binEdges.slice(1, -1) as number[]);
}

export function compareNumeric(
  profile: NumericProfile,
  interior: Float64Array,
  window: Float64Array,
  minRows: number,
): RawResult | undefined {
  const values = window.filter((v) => Number.isFinite(v));
  if (values.length < minRows) return undefined;
  const ks = ks2samp(profile.sample, values);
  return {
    type: "numeric",
    rows: values.length,
    psi: psi(profile.binFrequencies, histogram(interior, values)),
    test: { name: "ks", statistic: ks.statistic, pValue: ks.pValue },
  };
}

/**
 * `codes` index the profile's categories (in key order); -1 marks a value the reference never saw.
 * Unseen values form one extra PSI bucket whose reference share is 0 (floored at PSI_EPSILON), so a burst of
 * new categories raises PSI. They are left out of the chi-square, which compares the shape among known
 * categories (an expected count of 0 would make it infinite). Reference shares are floored at PSI_EPSILON and
 * renormalized for the chi-square so a category with share 0 cannot divide by zero.
 */
export function compareCategorical(
  profile: CategoricalProfile,
  codes: Int32Array,
  minRows: number,
): RawResult | undefined {
  if (codes.length < minRows) return undefined;
  const ref = Object.values(profile.frequencies);
  const k = ref.length;
  const counts = new Float64Array(k + 1);
  for (const c of codes) (counts[c < 0 ? k : c] as number) += 1;
  const known = codes.length - (counts[k] as number);
  const result: RawResult = {
    type: "categorical",
    rows: codes.length,
    psi: psi([...ref, 0], counts),
    unseenShare: (counts[k] as number) / codes.length,
  };
  if (known > 0) {
    const floored = ref.map((f) => Math.max(f, PSI_EPSILON));
    const total = floored.reduce((a, b) => a + b, 0);
    const expected = floored.map((f) => (f / total) * known);
    const chi = chisquare(counts.subarray(0, k), expected);
    result.test = { name: "chi2", statistic: chi.statistic, pValue: chi.pValue };
  }
  return result;
}

export interface DecisionOptions {
  readonly alpha: number;
  readonly psiThreshold: number;
  readonly correction: Correction;
}

/** Applies the correction across all tests, then flags each feature by PSI or corrected p-value. */
export function decide(
  raw: ReadonlyMap<string, RawResult>,
  options: DecisionOptions,
): Map<string, FeatureResult> {
  const names = [...raw.keys()].filter((n) => raw.get(n)?.test !== undefined);
  const adjusted = adjust(
    names.map((n) => raw.get(n)?.test?.pValue as number),
    options.correction,
  );
  const adjustedByName = new Map(names.map((n, i) => [n, adjusted[i] as number]));
  const out = new Map<string, FeatureResult>();
  for (const [name, r] of raw) {
    const adj = adjustedByName.get(name);
    const reasons: ("psi" | "p_value")[] = [];
    if (r.psi >= options.psiThreshold) reasons.push("psi");
    if (adj !== undefined && adj < options.alpha) reasons.push("p_value");
    const tests: { ks?: TestResult; chi2?: TestResult } = {};
    if (r.test !== undefined && adj !== undefined) {
      tests[r.test.name] = { statistic: r.test.statistic, pValue: r.test.pValue, adjustedPValue: adj };
    }
    out.set(name, {
      type: r.type,
      rows: r.rows,
      psi: r.psi,
      tests,
      drifted: reasons.length > 0,
      reasons,
      ...(r.unseenShare === undefined ? {} : { unseenShare: r.unseenShare }),
    });
  }
  return out;
}
