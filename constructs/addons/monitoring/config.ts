import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { IngressSchema } from "../../core/ingress";
import { cpuQuantity, memoryQuantity, positiveInt, secretsManagerSecretArn } from "../../primitives";
import { SECRETS_AFTER_RELEASE } from "../external-secrets/config";
import { KAFKA_NAMESPACE } from "../kafka/strimzi";
import { ALERT_RULE_CHECKS, ALERT_RULE_DEFAULTS, expectedMessage } from "./rules/options";

/**
 * Configuration of the monitoring add-on (`addons.monitoring`): kube-prometheus-stack with Prometheus,
 * Alertmanager, Grafana, node-exporter and kube-state-metrics.
 */

const quoted = (v: unknown) => JSON.stringify(v);

/** Prometheus durations the kit accepts for retention: whole hours, days, weeks or years. */
const RETENTION = /^([1-9]\d*)(h|d|w|y)$/;
const HOURS = { h: 1, d: 24, w: 24 * 7, y: 24 * 365 } as const;
/** Prometheus byte sizes for retentionSize. */
const SIZE = /^([1-9]\d*)(MB|GB|TB)$/;
const GIB_PER_UNIT = { MB: 1 / 1024, GB: 1, TB: 1024 } as const;

export function retentionHours(retention: string): number {
  const m = RETENTION.exec(retention);
  return m ? Number(m[1]) * HOURS[m[2] as keyof typeof HOURS] : Number.NaN;
}

function sizeGiB(size: string): number {
  const m = SIZE.exec(size);
  return m ? Number(m[1]) * GIB_PER_UNIT[m[2] as keyof typeof GIB_PER_UNIT] : Number.NaN;
}

const resources = (cpu: string, memory: string, limit: string) =>
  z
    .strictObject({
      cpuRequest: cpuQuantity.default(cpu).describe("CPU request."),
      memoryRequest: memoryQuantity.default(memory).describe("Memory request."),
      memoryLimit: memoryQuantity.default(limit).describe("Memory limit."),
    })
    .default({ cpuRequest: cpu, memoryRequest: memory, memoryLimit: limit });

export const PrometheusSchema = z
  .strictObject({
    retention: z
      .string()
      .regex(RETENTION, 'expected a duration of whole hours, days, weeks or years such as "15d"')
      .default("15d")
      .describe("How long samples are kept (`retention`); at least 1d."),
    retentionSize: z
      .string()
      .regex(SIZE, 'expected a size such as "40GB"')
      .default("40GB")
      .describe("Oldest blocks are dropped beyond this size (`retentionSize`); below storageGiB."),
    storageGiB: positiveInt("storageGiB", 16384)
      .default(50)
      .describe("Encrypted gp3 volume per replica, GiB."),
    replicas: positiveInt("replicas", 5)
      .optional()
      .describe(
        'Prometheus replicas. Default: 2 when the platform environment is "prod" or "production", else 1.',
      ),
    resources: resources("500m", "2Gi", "4Gi").describe("Prometheus container resources."),
  })
  .describe("The Prometheus server.");

export const ALERT_RECEIVER_TYPES = ["webhook", "slack", "pagerduty", "email"] as const;

const receiverName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a receiver name of a-z, 0-9 and '-'")
  .max(40)
  .refine((n) => n !== "null", { error: 'receiver name "null" is reserved (the kit\'s silent receiver)' });

const secretArn = secretsManagerSecretArn.optional();

export const AlertReceiverSchema = z.discriminatedUnion("type", [
  z.strictObject({
    name: receiverName,
    type: z.literal("webhook"),
    url: z.url({ protocol: /^https?$/ }).describe("Webhook endpoint (not a secret: the token is)."),
    secretArn: secretArn.describe(
      'Optional Secrets Manager secret `{"token": "…"}`, sent as `Authorization: Bearer`.',
    ),
    sendResolved: z.boolean().default(true),
  }),
  z.strictObject({
    name: receiverName,
    type: z.literal("slack"),
    channel: z.string().regex(/^[#@]?[\w.-]+$/, "expected a Slack channel such as #alerts"),
    secretArn: secretArn.describe('Secrets Manager secret `{"apiUrl": "https://hooks.slack.com/…"}`.'),
    sendResolved: z.boolean().default(true),
  }),
  z.strictObject({
    name: receiverName,
    type: z.literal("pagerduty"),
    secretArn: secretArn.describe('Secrets Manager secret `{"routingKey": "…"}` (Events API v2).'),
    sendResolved: z.boolean().default(true),
  }),
  z.strictObject({
    name: receiverName,
    type: z.literal("email"),
    to: z.email(),
    from: z.email(),
    smarthost: z
      .string()
      .regex(
        /^[a-z0-9.-]+:\d{1,5}$/i,
        "expected host:port of the SMTP server, e.g. email-smtp.eu-west-1.amazonaws.com:587",
      ),
    username: z.string().min(1).describe("SMTP user name."),
    secretArn: secretArn.describe('Secrets Manager secret `{"password": "…"}` (the SMTP password).'),
    sendResolved: z.boolean().default(false),
  }),
]);
export type AlertReceiver = z.output<typeof AlertReceiverSchema>;

const duration = z.string().regex(/^\d+(s|m|h)$/, 'expected a duration such as "30s", "5m" or "4h"');

export const AlertRouteSchema = z.strictObject({
  receiver: z.string().describe("Receiver name."),
  matchers: z
    .array(z.string().min(1))
    .min(1)
    .describe('Alertmanager matchers, e.g. `severity = "critical"`.'),
  continue: z.boolean().default(false).describe("Keep matching the following routes."),
});

export const AlertmanagerSchema = z
  .strictObject({
    replicas: positiveInt("replicas", 5)
      .optional()
      .describe('Alertmanager replicas. Default: 2 in "prod"/"production", else 1.'),
    receivers: z.array(AlertReceiverSchema).default([]).describe("Where alerts go."),
    defaultReceiver: z
      .string()
      .optional()
      .describe('Receiver of alerts no route matches. Default: the first receiver, else "null" (dropped).'),
    groupBy: z.array(z.string().min(1)).default(["alertname", "namespace"]),
    groupWait: duration.default("30s"),
    groupInterval: duration.default("5m"),
    repeatInterval: duration.default("4h"),
    routes: z.array(AlertRouteSchema).default([]).describe("Child routes, in order."),
    resources: resources("50m", "128Mi", "256Mi").describe("Alertmanager container resources."),
  })
  .describe("Alertmanager: receivers and routes; every receiver secret comes from Secrets Manager.");

export const GrafanaSchema = z
  .strictObject({
    adminSecretArn: secretsManagerSecretArn
      .optional()
      .describe(
        'Secrets Manager secret `{"username": "…", "password": "…"}` of the admin. Default: a password generated in the cluster by External Secrets, user "admin".',
      ),
    elasticsearch: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }).describe("Elasticsearch URL as Grafana reaches it."),
        index: z.string().min(1).default("logs-*").describe("Index pattern."),
        timeField: z.string().min(1).default("@timestamp"),
      })
      .optional()
      .describe("An Elasticsearch data source (e.g. the logging add-on's). Default: none."),
    resources: resources("100m", "256Mi", "512Mi").describe("Grafana container resources."),
    ingress: IngressSchema.optional().describe(
      "An ALB in front of Grafana (internal by default; needs addons.awsLoadBalancerController). Default: none (port-forward).",
    ),
  })
  .describe(
    "Grafana: no anonymous access; Prometheus and Alertmanager data sources; dashboards from ConfigMaps.",
  );

/**
 * Runs one of the alert rules' own checks (rules/options.ts), so a bad value gets the same rule and message
 * whether it comes from the configuration or from `platformAlertRules(options)`.
 */
const ruleCheck =
  <T>(rule: (v: T) => string | undefined) =>
  (v: T, ctx: z.RefinementCtx) => {
    const expected = rule(v);
    if (expected)
      ctx.addIssue({ code: "custom", message: expectedMessage(v, expected), params: { formatted: true } });
  };
const threshold = z.number().superRefine(ruleCheck(ALERT_RULE_CHECKS.positive));
const ratio = z.number().superRefine(ruleCheck(ALERT_RULE_CHECKS.ratio));
const ruleNamespace = z.string().superRefine(ruleCheck(ALERT_RULE_CHECKS.namespace));
const D = ALERT_RULE_DEFAULTS;

export const AlertRulesSchema = z
  .strictObject({
    // No default in the schema (true in the add-on): an explicit `true` with monitoring off is an error.
    enabled: z
      .boolean()
      .optional()
      .describe("Emit the kit's PrometheusRules; false keeps the stack without them. Default: true."),
    namespaces: z
      .array(ruleNamespace)
      .min(1)
      .optional()
      .describe(
        "Namespaces the Kubernetes rules (crash loops, PVCs) watch. Default: the kit's add-on namespaces and inference.namespace.",
      ),
    kafka: z
      .strictObject({
        namespace: ruleNamespace
          .default(KAFKA_NAMESPACE)
          .describe(`Namespace of the Kafka cluster the rules watch. Default: "${KAFKA_NAMESPACE}".`),
        consumerGroupPrefixes: z
          .array(z.string().superRefine(ruleCheck(ALERT_RULE_CHECKS.groupPrefix)))
          .optional()
          .describe(
            "Consumer group name prefixes whose lag alerts. Default: the Kafka add-on's consumers' group prefixes (its principals that read), every group when none.",
          ),
        consumerLagThreshold: threshold
          .default(D.kafka.consumerLagThreshold)
          .describe(
            `Summed lag of one group on one topic, in messages. Default: ${D.kafka.consumerLagThreshold}.`,
          ),
        brokerDiskFreeRatio: ratio
          .default(D.kafka.brokerDiskFreeRatio)
          .describe(
            `Free fraction of a broker volume below which it alerts. Default: ${D.kafka.brokerDiskFreeRatio}.`,
          ),
      })
      .prefault({})
      .describe("Kafka rules."),
    pvcFillHorizonHours: threshold
      .default(D.pvcFillHorizonHours)
      .describe(`How far ahead a PVC's fill prediction looks, hours. Default: ${D.pvcFillHorizonHours}.`),
    http5xxRatio: ratio
      .default(D.http5xxRatio)
      .describe(`Ratio of 5xx answers over 5 minutes that alerts. Default: ${D.http5xxRatio}.`),
    gpu: z
      .strictObject({
        memoryUsedRatio: ratio
          .default(D.gpu.memoryUsedRatio)
          .describe(`Framebuffer used fraction that alerts. Default: ${D.gpu.memoryUsedRatio}.`),
        idleUtilizationPercent: threshold
          .default(D.gpu.idleUtilizationPercent)
          .describe(
            `GPU utilization (%) under which a GPU counts as idle. Default: ${D.gpu.idleUtilizationPercent}.`,
          ),
      })
      .prefault({})
      .describe("GPU rules."),
    inference: z
      .strictObject({
        enabled: z
          .boolean()
          .optional()
          .describe(
            "Emit the inference service's rules. Default: when the serving add-on runs; true for the reference service deployed some other way into inference.namespace.",
          ),
        namespace: ruleNamespace
          .default(D.inference.namespace)
          .describe(`Namespace of the reference service. Default: "${D.inference.namespace}".`),
        latencyP99Seconds: threshold
          .default(D.inference.latencyP99Seconds)
          .describe(
            `p99 of successful inference requests, seconds. Default: ${D.inference.latencyP99Seconds}.`,
          ),
        liveAccuracyDrop: ratio
          .default(D.inference.liveAccuracyDrop)
          .describe(
            `Fall of live accuracy below the model version's best of the last day that alerts. Default: ${D.inference.liveAccuracyDrop}.`,
          ),
        liveAccuracyMinRows: z
          .number()
          .superRefine(ruleCheck(ALERT_RULE_CHECKS.count))
          .default(D.inference.liveAccuracyMinRows)
          .describe(
            `Labelled rows a live-accuracy window needs before it counts. Default: ${D.inference.liveAccuracyMinRows}.`,
          ),
      })
      .prefault({})
      .describe("Inference service rules."),
  })
  .describe("The kit's alert rules (PrometheusRules) and their thresholds.");

export const MonitoringConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Install kube-prometheus-stack (needs addons.externalSecrets)."),
    prometheus: PrometheusSchema.default(PrometheusSchema.parse({})),
    alertmanager: AlertmanagerSchema.default(AlertmanagerSchema.parse({})),
    grafana: GrafanaSchema.default(GrafanaSchema.parse({})),
    rules: AlertRulesSchema.default(AlertRulesSchema.parse({})),
    helm: helmConfigSchema(CHARTS.kubePrometheusStack, {
      valuesCheck: "Keys are checked against its values.yaml (subchart keys are free).",
      noWaitReason: SECRETS_AFTER_RELEASE,
    }),
  })
  .superRefine((c, ctx) => {
    const add = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message, params: { formatted: true } });
    const rulesProblem = rulesWithoutMonitoring(c);
    if (rulesProblem) add(rulesProblem.path, rulesProblem.message);
    const p = c.prometheus;
    if (retentionHours(p.retention) < 24) {
      add(
        ["prometheus", "retention"],
        `retention ${quoted(p.retention)} is below 1 day; expected at least "1d"`,
      );
    }
    if (sizeGiB(p.retentionSize) >= p.storageGiB) {
      add(
        ["prometheus", "retentionSize"],
        `retentionSize ${quoted(p.retentionSize)} must be below the volume (storageGiB ${p.storageGiB}), or Prometheus fills it`,
      );
    }
    const am = c.alertmanager;
    const names = new Set<string>(["null"]);
    am.receivers.forEach((r, i) => {
      if (names.has(r.name))
        add(["alertmanager", "receivers", i, "name"], `receiver name ${quoted(r.name)} is used twice`);
      names.add(r.name);
      if (r.type !== "webhook" && !r.secretArn) {
        add(
          ["alertmanager", "receivers", i, "secretArn"],
          `receiver ${quoted(r.name)} (${r.type}) needs secretArn: the Secrets Manager secret of its ${SECRET_WHAT[r.type]}; secrets are never taken inline`,
        );
      }
    });
    const known = [...names].map(quoted).join(", ");
    if (am.defaultReceiver !== undefined && !names.has(am.defaultReceiver)) {
      add(
        ["alertmanager", "defaultReceiver"],
        `unknown receiver ${quoted(am.defaultReceiver)}; expected one of ${known}`,
      );
    }
    am.routes.forEach((r, i) => {
      if (!names.has(r.receiver)) {
        add(
          ["alertmanager", "routes", i, "receiver"],
          `unknown receiver ${quoted(r.receiver)}; expected one of ${known}`,
        );
      }
    });
  })
  .describe("Metrics and alerts: kube-prometheus-stack (Prometheus, Alertmanager, Grafana, exporters).");

const RULE_DEFAULTS = AlertRulesSchema.parse({});

/**
 * Alert rules asked for while the add-on that would emit them is off: `rules.enabled: true`, or any rule
 * setting. `rules.enabled: false` alone is consistent and passes.
 */
function rulesWithoutMonitoring(c: {
  enabled: boolean;
  rules: z.output<typeof AlertRulesSchema>;
}): { path: string[]; message: string } | undefined {
  if (c.enabled || c.rules.enabled === false) return undefined;
  const { enabled, ...settings } = c.rules;
  const { enabled: _, ...defaults } = RULE_DEFAULTS;
  const why =
    "the kit's alert rules are emitted by the monitoring add-on, which addons.monitoring.enabled: false leaves out; set it to true, or remove the rules settings";
  if (enabled === true) return { path: ["rules", "enabled"], message: `got true; ${why}` };
  if (!isDeepStrictEqual(settings, defaults))
    return {
      path: ["rules"],
      message: `rule settings given (${changedKeys(settings, defaults).join(", ")}); ${why}`,
    };
  return undefined;
}

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return Object.keys(a).filter((k) => !isDeepStrictEqual(a[k], b[k]));
}

const SECRET_WHAT = { slack: "webhook URL", pagerduty: "routing key", email: "SMTP password" } as const;

export type MonitoringConfigInput = z.input<typeof MonitoringConfigSchema>;
export type MonitoringConfig = z.output<typeof MonitoringConfigSchema>;

/** `addons.monitoring`: the section the platform schema and the add-on's registry entry share. */
export const MONITORING_CONFIG = addOnConfigSection({
  key: "monitoring",
  title: "Monitoring",
  schema: MonitoringConfigSchema,
});

/** Parses `addons.monitoring`, listing every problem with its path and the value found. */
export function parseMonitoringConfig(input: MonitoringConfigInput | MonitoringConfig): MonitoringConfig {
  return parseAddOnConfig(MONITORING_CONFIG, input);
}
