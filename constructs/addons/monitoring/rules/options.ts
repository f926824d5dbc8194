/**
 * Thresholds users tune, with the kit's defaults. Bad values fail with the option's path, the value and what
 * was expected.
 */
import { AIRFLOW_NAMESPACE } from "../../airflow/addon";
import { EXTERNAL_SECRETS_NAMESPACE } from "../../external-secrets/addon";
import { KAFKA_NAMESPACE } from "../../kafka/strimzi";
import { KUBEFLOW_NAMESPACE } from "../../kubeflow-pipelines/addon";
import { MLFLOW_NAMESPACE } from "../../mlflow/names";

export interface AlertRuleOptions {
  /** Namespaces the Kubernetes rules (crash loops, PVCs) watch. Default: the kit's add-on namespaces. */
  readonly namespaces?: readonly string[];
  readonly kafka?: {
    readonly namespace?: string;
    /**
     * Consumer group name prefixes whose lag is alerted on (the principals' `groupPrefixes`). Default: every
     * group.
     */
    readonly consumerGroupPrefixes?: readonly string[];
    /** Summed lag of one group on one topic, in messages. Default 10000. */
    readonly consumerLagThreshold?: number;
    /** Free fraction of a broker data volume below which it alerts. Default 0.15. */
    readonly brokerDiskFreeRatio?: number;
  };
  /** How far ahead a PVC's linear fill prediction looks, in hours. Default 24. */
  readonly pvcFillHorizonHours?: number;
  /** Ratio of 5xx answers over 5 minutes (MLflow, the inference service). Default 0.05. */
  readonly http5xxRatio?: number;
  readonly gpu?: {
    /** Framebuffer used fraction that alerts. Default 0.95. */
    readonly memoryUsedRatio?: number;
    /** GPU utilization (%) under which a GPU counts as idle. Default 5. */
    readonly idleUtilizationPercent?: number;
  };
  readonly inference?: {
    /**
     * Emit the inference rules. Default: when the serving add-on runs; `true` for the reference service deployed
     * some other way into `namespace`.
     */
    readonly enabled?: boolean;
    /** Namespace the reference service runs in. Default "serving". */
    readonly namespace?: string;
    /** p99 of successful inference requests, in seconds. Default 0.5. */
    readonly latencyP99Seconds?: number;
    /** Fall of live accuracy below the same model version's best of the last day that alerts. Default 0.05. */
    readonly liveAccuracyDrop?: number;
    /** Labelled rows a live-accuracy window needs before it counts. Default 200. */
    readonly liveAccuracyMinRows?: number;
  };
}

export type ResolvedAlertRuleOptions = {
  readonly namespaces: readonly string[];
  readonly kafka: Required<NonNullable<AlertRuleOptions["kafka"]>>;
  readonly pvcFillHorizonHours: number;
  readonly http5xxRatio: number;
  readonly gpu: Required<NonNullable<AlertRuleOptions["gpu"]>>;
  readonly inference: Required<Omit<NonNullable<AlertRuleOptions["inference"]>, "enabled">>;
};

export const DEFAULT_INFERENCE_NAMESPACE = "serving";

/** The kit's thresholds: the one place they are defined (the config schema and its reference read them). */
export const ALERT_RULE_DEFAULTS = {
  kafka: { consumerLagThreshold: 10_000, brokerDiskFreeRatio: 0.15 },
  pvcFillHorizonHours: 24,
  http5xxRatio: 0.05,
  gpu: { memoryUsedRatio: 0.95, idleUtilizationPercent: 5 },
  inference: {
    namespace: DEFAULT_INFERENCE_NAMESPACE,
    latencyP99Seconds: 0.5,
    liveAccuracyDrop: 0.05,
    liveAccuracyMinRows: 200,
  },
} as const;

/** Where the options live in the platform configuration; every error names it. */
export const ALERT_RULES_CONFIG_PATH = "addons.monitoring.rules";
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GROUP_PREFIX = /^[a-zA-Z0-9._-]+$/;

/**
 * The checks on one value, each returning what was expected when the value fails it. The config schema
 * (../config.ts) runs these same functions, so a value is judged by one rule with one message.
 */
export const ALERT_RULE_CHECKS = {
  positive: (v: number) => (Number.isFinite(v) && v > 0 ? undefined : "a number greater than 0"),
  count: (v: number) => (Number.isInteger(v) && v >= 1 ? undefined : "a whole number of at least 1"),
  ratio: (v: number) =>
    Number.isFinite(v) && v > 0 && v <= 1 ? undefined : "a ratio greater than 0 and at most 1",
  namespace: (v: string) =>
    NAME.test(v) && v.length <= 63 ? undefined : "a Kubernetes namespace name (RFC 1123 label)",
  groupPrefix: (v: string) => (GROUP_PREFIX.test(v) ? undefined : "a-z, A-Z, 0-9, . _ -"),
} as const;

/** The message of a failed check, after the path: `got 0, expected a number greater than 0`. */
export const expectedMessage = (value: unknown, expected: string) =>
  `got ${JSON.stringify(value)}, expected ${expected}`;

function check<T>(path: string, value: T, rule: (v: T) => string | undefined): T {
  const expected = rule(value);
  if (expected) throw new Error(`${ALERT_RULES_CONFIG_PATH}.${path}: ${expectedMessage(value, expected)}`);
  return value;
}

const positive = (path: string, value: number) => check(path, value, ALERT_RULE_CHECKS.positive);
const ratio = (path: string, value: number) => check(path, value, ALERT_RULE_CHECKS.ratio);
const namespace = (path: string, value: string) => check(path, value, ALERT_RULE_CHECKS.namespace);

/** The options with defaults filled in; throws on the first bad value. */
export function resolveAlertRuleOptions(opts: AlertRuleOptions = {}): ResolvedAlertRuleOptions {
  const namespaces = opts.namespaces ?? [
    KAFKA_NAMESPACE,
    MLFLOW_NAMESPACE,
    AIRFLOW_NAMESPACE,
    KUBEFLOW_NAMESPACE,
    EXTERNAL_SECRETS_NAMESPACE,
    opts.inference?.namespace ?? DEFAULT_INFERENCE_NAMESPACE,
  ];
  check("namespaces", namespaces, (n) => (n.length > 0 ? undefined : "at least one namespace"));
  namespaces.forEach((n, i) => {
    namespace(`namespaces[${i}]`, n);
  });
  const prefixes = opts.kafka?.consumerGroupPrefixes ?? [];
  prefixes.forEach((p, i) => {
    check(`kafka.consumerGroupPrefixes[${i}]`, p, ALERT_RULE_CHECKS.groupPrefix);
  });
  const D = ALERT_RULE_DEFAULTS;
  const { kafka = {}, gpu = {}, inference = {} } = opts;
  return {
    namespaces: [...new Set(namespaces)],
    kafka: {
      namespace: namespace("kafka.namespace", kafka.namespace ?? KAFKA_NAMESPACE),
      consumerGroupPrefixes: prefixes,
      consumerLagThreshold: positive(
        "kafka.consumerLagThreshold",
        kafka.consumerLagThreshold ?? D.kafka.consumerLagThreshold,
      ),
      brokerDiskFreeRatio: ratio(
        "kafka.brokerDiskFreeRatio",
        kafka.brokerDiskFreeRatio ?? D.kafka.brokerDiskFreeRatio,
      ),
    },
    pvcFillHorizonHours: positive("pvcFillHorizonHours", opts.pvcFillHorizonHours ?? D.pvcFillHorizonHours),
    http5xxRatio: ratio("http5xxRatio", opts.http5xxRatio ?? D.http5xxRatio),
    gpu: {
      memoryUsedRatio: ratio("gpu.memoryUsedRatio", gpu.memoryUsedRatio ?? D.gpu.memoryUsedRatio),
      idleUtilizationPercent: positive(
        "gpu.idleUtilizationPercent",
        gpu.idleUtilizationPercent ?? D.gpu.idleUtilizationPercent,
      ),
    },
    inference: {
      namespace: namespace("inference.namespace", inference.namespace ?? D.inference.namespace),
      latencyP99Seconds: positive(
        "inference.latencyP99Seconds",
        inference.latencyP99Seconds ?? D.inference.latencyP99Seconds,
      ),
      liveAccuracyDrop: ratio(
        "inference.liveAccuracyDrop",
        inference.liveAccuracyDrop ?? D.inference.liveAccuracyDrop,
      ),
      liveAccuracyMinRows: check(
        "inference.liveAccuracyMinRows",
        inference.liveAccuracyMinRows ?? D.inference.liveAccuracyMinRows,
        ALERT_RULE_CHECKS.count,
      ),
    },
  };
}

/** A PromQL regex alternation matching any of `values` exactly (regex metacharacters escaped). */
export function promRegexAlternation(values: readonly string[]): string {
  // PromQL strings need the backslash itself escaped.
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&")).join("|");
}

/** A ratio as a percentage for annotations: 0.05 → "5%". */
export function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(2))}%`;
}
