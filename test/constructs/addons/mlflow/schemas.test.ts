import { describe, expect, it } from "vitest";
import { mlflowAddOn } from "../../../../constructs/addons/mlflow";
import { CHARTS } from "../../../../constructs/core/charts";
import { validateSynthesizedStack } from "../../../../scripts/validation";
import { manifests } from "../../../support/manifests";
import { describeWithSchemas, expectedOlderReference, expectValidStack } from "../../../support/schemas";
import { resourcesOf } from "../../../support/synth";
import { synthMlflow } from "./support";

const OIDC = {
  mode: "oidc" as const,
  oidc: {
    discoveryUrl: "https://idp.example.com/.well-known/openid-configuration",
    clientId: "mlflow",
    clientSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mlflow-oidc-AbCdEf",
  },
};

const VARIANTS = {
  "basic auth, monitoring": { config: {}, monitoring: true },
  "oidc, ingress, overrides": {
    config: {
      auth: OIDC,
      ingress: {
        host: "mlflow.internal.example.com",
        certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x",
      },
      helm: { values: { log: { level: "debug" }, strategy: { type: "Recreate" } } },
    },
    monitoring: false,
  },
  "no auth": { config: { auth: { mode: "none" as const } }, monitoring: false },
};

describeWithSchemas("MLflow add-on against the chart's values.yaml and values.schema.json", () => {
  for (const [name, v] of Object.entries(VARIANTS)) {
    it(`${name}: every Helm value, Kubernetes object and custom resource validates`, () => {
      const { json } = synthMlflow(v.config, { monitoring: v.monitoring });
      const report = expectValidStack(json);
      // mlflow and external-secrets (the latter against its declared older reference chart)
      expect(report.checked.HelmRelease).toBe(Object.keys(resourcesOf(json, "helm_release")).length);
      expect(report.olderReference).toEqual(expectedOlderReference(CHARTS.externalSecrets));
      expect(report.unchecked).toEqual([]);
      // Every ESO resource and monitor MLflow writes is validated against its CRD.
      for (const kind of ["ExternalSecret", "SecretStore", "Password", "PodMonitor"])
        expect(report.checked[kind] ?? 0).toBe(manifests(json, kind).length);
      const own = manifests(json, "PodMonitor").filter((m) => m.metadata.name === "mlflow");
      expect(own).toHaveLength(v.monitoring ? 1 : 0);
      console.info(
        `[mlflow] ${name}: checked ${JSON.stringify(report.checked)}, unchecked ${report.unchecked.length}`,
      );
    });
  }

  it("fails when an override key is misspelt, naming the key and the chart", () => {
    const { json } = synthMlflow({ helm: { values: { backendStore: { databaseMigartion: true } } } });
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures).toHaveLength(1);
    expect(failures[0].error).toMatch(/chart mlflow has no value "backendStore.databaseMigartion"/);
    expect(failures[0].error).toMatch(/mlflow/);
  });

  it("fails when an override breaks the chart's schema (wrong type)", () => {
    const { json } = synthMlflow({ helm: { values: { replicaCount: "two" } } });
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures.map((f) => f.error).join("\n")).toMatch(/replicaCount/);
  });
});

describe("MLflow add-on factory", () => {
  it("depends on external-secrets, and on the load balancer controller with an ingress", () => {
    expect(mlflowAddOn().dependsOn).toEqual(["external-secrets"]);
    const ingress = { host: "mlflow.example.com", certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x" };
    expect(mlflowAddOn({ ingress }).dependsOn).toEqual(["external-secrets", "aws-load-balancer-controller"]);
  });
});
