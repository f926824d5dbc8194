import { parse as parseYaml } from "yaml";
import { externalSecretsAddOn } from "../../../../constructs/addons/external-secrets";
import { gp3StorageClassAddOn } from "../../../../constructs/addons/gp3-storage-class";
import {
  type MonitoringConfigInput,
  type MonitoringOutputs,
  type MonitoringRules,
  monitoringAddOn,
} from "../../../../constructs/addons/monitoring";
import type { PlatformDashboard } from "../../../../constructs/addons/monitoring/dashboards";
import type { AddOn, PlatformInfo } from "../../../../constructs/core";
import { controllerFor } from "../../../support/addons";
import type { SynthJson } from "../../../support/synth";
import { type Json, synthAddOns } from "../external-secrets/support";

export { type Json, manifests } from "../external-secrets/support";

export const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;

/** One receiver of each type, routed by severity: the configuration most tests use. */
export const ALL_RECEIVERS: MonitoringConfigInput = {
  alertmanager: {
    receivers: [
      { name: "oncall", type: "pagerduty", secretArn: ARN("pagerduty") },
      { name: "team-slack", type: "slack", channel: "#mlops-alerts", secretArn: ARN("slack") },
      {
        name: "mail",
        type: "email",
        to: "mlops@example.com",
        from: "alertmanager@example.com",
        smarthost: "email-smtp.eu-west-1.amazonaws.com:587",
        username: "AKIAEXAMPLE",
        secretArn: ARN("smtp"),
      },
      { name: "hook", type: "webhook", url: "https://hooks.example.com:8443/alerts", secretArn: ARN("hook") },
      { name: "plain-hook", type: "webhook", url: "http://relay.tools.svc:8080/alerts" },
    ],
    defaultReceiver: "team-slack",
    routes: [
      { receiver: "oncall", matchers: ['severity = "critical"'], continue: true },
      { receiver: "mail", matchers: ['severity = "warning"', 'namespace =~ "kafka|mlflow"'] },
      { receiver: "hook", matchers: ['team = "ml"'] },
    ],
  },
};

/** Storage class, ESO and monitoring (+ extra add-ons), synthesized. */
export function synthMonitoring(
  config: MonitoringConfigInput = {},
  opts: {
    rules?: MonitoringRules;
    dashboards?: readonly PlatformDashboard[];
    extra?: AddOn<unknown>[];
    platform?: Partial<PlatformInfo>;
  } = {},
): { json: SynthJson; outputs: MonitoringOutputs } {
  const { json, outputs } = synthAddOns(
    [
      gp3StorageClassAddOn(),
      externalSecretsAddOn(),
      monitoringAddOn(config, opts.rules, opts.dashboards),
      ...controllerFor(config.grafana?.ingress),
      ...(opts.extra ?? []),
    ],
    opts.platform,
  );
  return { json, outputs: outputs.get("monitoring") as MonitoringOutputs };
}

export function monitoringRelease(json: SynthJson): Json {
  const found = (Object.values(json.resource?.helm_release ?? {}) as Json[]).filter(
    (r) => r.chart === "kube-prometheus-stack",
  );
  if (found.length !== 1)
    throw new Error(`expected one kube-prometheus-stack release, found ${found.length}`);
  return found[0];
}

export function monitoringValues(json: SynthJson): Json {
  return parseYaml(monitoringRelease(json).values[0]) as Json;
}
