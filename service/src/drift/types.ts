/** Options, status and status-change event of the DriftMonitor. */
import type { Registry } from "prom-client";
import type { FeatureResult } from "./evaluate";
import type { DriftProfile } from "./profile";
import type { Correction } from "./stats";

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
