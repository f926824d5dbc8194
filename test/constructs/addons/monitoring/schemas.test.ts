import { expect, it } from "vitest";
import { platformAlertRules } from "../../../../constructs/addons/monitoring";
import { CHARTS } from "../../../../constructs/core/charts";
import { validateSynthesizedStack } from "../../../../scripts/validation";
import { describeWithSchemas, expectedOlderReference, expectValidStack } from "../../../support/schemas";
import { resourcesOf } from "../../../support/synth";
import { ALL_RECEIVERS, manifests, synthMonitoring } from "./support";

const RULES = () => [
  {
    name: "platform-example",
    groups: [
      {
        name: "example",
        rules: [{ alert: "TargetDown", expr: "up == 0", for: "5m", labels: { severity: "warning" } }],
      },
    ],
  },
];

const VARIANTS = {
  defaults: { config: {}, rules: undefined },
  "the kit's alert rules": { config: {}, rules: platformAlertRules() },
  "every receiver type, Elasticsearch, given admin, a rule set": {
    config: {
      ...ALL_RECEIVERS,
      grafana: {
        adminSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:grafana-AbCdEf",
        elasticsearch: { url: "https://logs-es-http.logging.svc:9200" },
      },
    },
    rules: RULES,
  },
};

describeWithSchemas(
  "monitoring add-on against kube-prometheus-stack's values.yaml and the operator's CRDs",
  () => {
    for (const [name, v] of Object.entries(VARIANTS)) {
      it(`${name}: every Helm value, Kubernetes object and custom resource validates`, () => {
        const { json } = synthMonitoring(v.config, { rules: v.rules });
        const report = expectValidStack(json);
        expect(report.checked.HelmRelease).toBe(Object.keys(resourcesOf(json, "helm_release")).length);
        expect(report.olderReference).toEqual(expectedOlderReference(CHARTS.externalSecrets));
        expect(report.unchecked).toEqual([]);
        for (const kind of ["ExternalSecret", "SecretStore", "Password", "PrometheusRule"])
          expect(report.checked[kind] ?? 0).toBe(manifests(json, kind).length);
        console.info(
          `[monitoring] ${name}: checked ${JSON.stringify(report.checked)}, unchecked ${report.unchecked.length}`,
        );
      });
    }

    it("fails when an override key is misspelt, naming the key and the chart", () => {
      const { json } = synthMonitoring({
        helm: { values: { prometheus: { prometheusSpec: { retentionSise: "1GB" } } } },
      });
      const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
      expect(failures).toHaveLength(1);
      expect(failures[0].error).toMatch(
        /chart kube-prometheus-stack has no value "prometheus.prometheusSpec.retentionSise"/,
      );
    });

    it("fails when a PrometheusRule breaks the CRD (rule without expr)", () => {
      const bad = () => [{ name: "bad", groups: [{ name: "g", rules: [{ alert: "X" }] }] }];
      const failures = validateSynthesizedStack(synthMonitoring({}, { rules: bad }).json).failures;
      expect(failures.map((f) => `${f.kind} ${f.error}`).join("\n")).toMatch(/PrometheusRule[\s\S]*expr/);
    });
  },
);
