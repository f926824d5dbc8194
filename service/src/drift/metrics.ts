/**
 * Prometheus metrics of the drift monitor. Several monitors (one per model) may share one Registry, so each
 * metric is created once and reused by name.
 */
import { Counter, Gauge, type Registry } from "prom-client";

export interface DriftMetrics {
  readonly psi: Gauge<"model" | "feature">;
  readonly pValue: Gauge<"model" | "feature" | "test">;
  readonly adjustedPValue: Gauge<"model" | "feature" | "test">;
  readonly statistic: Gauge<"model" | "feature" | "test">;
  readonly detected: Gauge<"model" | "feature">;
  readonly windowRows: Gauge<"model">;
  readonly lastEvaluation: Gauge<"model">;
  readonly evaluationSeconds: Gauge<"model">;
  readonly evaluations: Counter<"model" | "outcome">;
  readonly droppedEvents: Counter<"model" | "reason">;
  readonly droppedWindows: Counter<"model">;
  readonly monitored: Gauge<"model">;
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Gauge<L>;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function driftMetrics(registry: Registry): DriftMetrics {
  return {
    psi: gauge(registry, "drift_psi", "Population stability index of the last window vs the reference.", [
      "model",
      "feature",
    ]),
    pValue: gauge(registry, "drift_p_value", "Uncorrected p-value of the last window's drift test.", [
      "model",
      "feature",
      "test",
    ]),
    adjustedPValue: gauge(
      registry,
      "drift_adjusted_p_value",
      "P-value after the multiple-testing correction (Bonferroni or Benjamini-Hochberg).",
      ["model", "feature", "test"],
    ),
    statistic: gauge(
      registry,
      "drift_test_statistic",
      "Test statistic (KS D or chi-square) of the last window.",
      ["model", "feature", "test"],
    ),
    detected: gauge(registry, "drift_detected", "1 when the feature drifted in the last window, else 0.", [
      "model",
      "feature",
    ]),
    windowRows: gauge(registry, "drift_window_rows", "Rows in the last evaluated window.", ["model"]),
    lastEvaluation: gauge(
      registry,
      "drift_last_evaluation_timestamp_seconds",
      "Unix time of the last drift evaluation, in seconds.",
      ["model"],
    ),
    evaluationSeconds: gauge(
      registry,
      "drift_evaluation_duration_seconds",
      "Wall time of the last drift evaluation, in seconds (off the request path).",
      ["model"],
    ),
    evaluations: counter(registry, "drift_evaluations_total", "Drift evaluations run, by outcome.", [
      "model",
      "outcome",
    ]),
    droppedEvents: counter(
      registry,
      "drift_dropped_events_total",
      "Prediction events the drift monitor could not use, by reason.",
      ["model", "reason"],
    ),
    droppedWindows: counter(
      registry,
      "drift_dropped_windows_total",
      "Tumbling windows skipped because evaluations fell behind.",
      ["model"],
    ),
    monitored: gauge(
      registry,
      "drift_monitored",
      "1 when the serving version of the model has a usable drift profile, else 0 (the drift endpoint says why).",
      ["model"],
    ),
  };
}

/**
 * Removes one model's evaluation gauges (not its counters or drift_monitored), so a previous version's verdict
 * does not outlive the switch to a new version or to no monitoring at all.
 */
export async function forgetEvaluations(metrics: DriftMetrics, model: string): Promise<void> {
  const gauges = [
    metrics.psi,
    metrics.pValue,
    metrics.adjustedPValue,
    metrics.statistic,
    metrics.detected,
    metrics.windowRows,
    metrics.lastEvaluation,
    metrics.evaluationSeconds,
  ] as Gauge<string>[];
  for (const g of gauges) {
    for (const v of (await g.get()).values) if (v.labels.model === model) g.remove(v.labels);
  }
}
