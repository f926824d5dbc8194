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
    /** Namespace the reference service runs in. Default "serving". */
    readonly namespace?: string;
    /** p99 of successful inference requests, in seconds. Default 0.5. */
    readonly latencyP99Seconds?: number;
  };
}

export type ResolvedAlertRuleOptions = {
  readonly namespaces: readonly string[];
  readonly kafka: Required<NonNullable<AlertRuleOptions["kafka"]>>;
  readonly pvcFillHorizonHours: number;
  readonly http5xxRatio: number;
  readonly gpu: Required<NonNullable<AlertRuleOptions["gpu"]>>;
  readonly inference: Required<NonNullable<AlertRuleOptions["inference"]>>;
};

export const DEFAULT_INFERENCE_NAMESPACE = "serving";

const PATH = "monitoring.rules";
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GROUP_PREFIX = /^[a-zA-Z0-9._-]+$/;

function fail(path: string, value: unknown, expected: string): never {
  throw new Error(`${PATH}.${path}: got ${JSON.stringify(value)}, expected ${expected}`);
}

function positive(path: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) fail(path, value, "a number greater than 0");
  return value;
}

function ratio(path: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0 || value >= 1) fail(path, value, "a ratio between 0 and 1");
  return value;
}

function namespace(path: string, value: string): string {
  if (!NAME.test(value) || value.length > 63)
    fail(path, value, "a Kubernetes namespace name (RFC 1123 label)");
  return value;
}

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
  if (namespaces.length === 0) fail("namespaces", namespaces, "at least one namespace");
  namespaces.forEach((n, i) => {
    namespace(`namespaces[${i}]`, n);
  });
  const prefixes = opts.kafka?.consumerGroupPrefixes ?? [];
  prefixes.forEach((p, i) => {
    if (!GROUP_PREFIX.test(p)) fail(`kafka.consumerGroupPrefixes[${i}]`, p, "a-z, A-Z, 0-9, . _ -");
  });
  return {
    namespaces: [...new Set(namespaces)],
    kafka: {
      namespace: namespace("kafka.namespace", opts.kafka?.namespace ?? KAFKA_NAMESPACE),
      consumerGroupPrefixes: prefixes,
      consumerLagThreshold: positive(
        "kafka.consumerLagThreshold",
        opts.kafka?.consumerLagThreshold ?? 10_000,
      ),
      brokerDiskFreeRatio: ratio("kafka.brokerDiskFreeRatio", opts.kafka?.brokerDiskFreeRatio ?? 0.15),
    },
    pvcFillHorizonHours: positive("pvcFillHorizonHours", opts.pvcFillHorizonHours ?? 24),
    http5xxRatio: ratio("http5xxRatio", opts.http5xxRatio ?? 0.05),
    gpu: {
      memoryUsedRatio: ratio("gpu.memoryUsedRatio", opts.gpu?.memoryUsedRatio ?? 0.95),
      idleUtilizationPercent: positive("gpu.idleUtilizationPercent", opts.gpu?.idleUtilizationPercent ?? 5),
    },
    inference: {
      namespace: namespace("inference.namespace", opts.inference?.namespace ?? DEFAULT_INFERENCE_NAMESPACE),
      latencyP99Seconds: positive("inference.latencyP99Seconds", opts.inference?.latencyP99Seconds ?? 0.5),
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
