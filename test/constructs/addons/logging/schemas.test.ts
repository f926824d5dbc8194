import { expect, it } from "vitest";
import { validateCustomResource, validateSynthesizedStack } from "../../../../scripts/validation";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { resourcesOf } from "../../../support/synth";
import { monitoringStub } from "../external-secrets/support";
import { manifests, synthLogging } from "./support";

const VARIANTS = {
  defaults: { config: {}, extra: [] },
  "hot/warm node sets, no snapshots, with monitoring": {
    config: {
      replicas: 2,
      eck: {
        nodeSets: {
          masters: { count: 3, roles: ["master"], memory: "2Gi" },
          hot: { count: 3, roles: ["data_hot", "data_content", "ingest"], memory: "16Gi", heap: "7g" },
          warm: { count: 2, roles: ["data_warm"], storageGiB: 1000 },
        },
        snapshots: { enabled: false },
        kibana: { replicas: 2 },
      },
    },
    extra: [monitoringStub],
  },
  "Kibana ingress": {
    config: {
      eck: {
        kibana: {
          ingress: {
            host: "kibana.internal.example.com",
            certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x",
          },
        },
      },
    },
    extra: [],
  },
} as const;

describeWithSchemas("logging add-on against the eck-operator chart's values.yaml and ECK 3.5's CRDs", () => {
  for (const [name, v] of Object.entries(VARIANTS)) {
    it(`${name}: every Helm value, Kubernetes object and custom resource validates`, () => {
      const { json } = synthLogging(v.config as never, { extra: [...v.extra] });
      const report = expectValidStack(json);
      expect(report.checked.HelmRelease).toBe(Object.keys(resourcesOf(json, "helm_release")).length);
      expect(report.unchecked).toEqual([]);
      for (const kind of ["Elasticsearch", "Kibana", "Job", "ConfigMap", "Ingress"])
        expect(report.checked[kind] ?? 0).toBe(manifests(json, kind).length);
      console.info(`[logging] ${name}: checked ${JSON.stringify(report.checked)}`);
    });
  }

  it("fails when the Elasticsearch resource carries a field the CRD would prune", () => {
    const [es] = manifests(synthLogging().json, "Elasticsearch");
    const set = { ...es.spec.nodeSets[0], zoneAwarness: {} };
    const result = validateCustomResource({ ...es, spec: { ...es.spec, nodeSets: [set] } });
    expect(result.valid).toBe(false);
    expect(JSON.stringify(result.issues)).toMatch(/zoneAwarness/);
  });

  it("fails when an operator value is misspelt, naming the key and the chart", () => {
    const { json } = synthLogging({ helm: { values: { webhok: { enabled: true } } } });
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures.map((f) => f.error).join("\n")).toMatch(/chart eck-operator has no value "webhok/);
  });
});
