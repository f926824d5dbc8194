import { expect, it } from "vitest";
import { parse } from "yaml";
import {
  formatFailure,
  validateCustomResource,
  validateHelmValues,
  validateSynthesizedStack,
} from "../../../../scripts/validation";
import { countKind, describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { onlyResource } from "../../../support/synth";
import { type Json, monitoringStub, synthKfp } from "./support";

const VARIANTS = {
  "RDS metadata, UI on": synthKfp({ enabled: true }),
  "in-cluster MySQL, monitoring": synthKfp({ metadata: { store: "in-cluster" } }, [monitoringStub]),
  "no UI, cache off, other zone, overrides": synthKfp({
    ui: { enabled: false },
    cache: { enabled: false },
    artifacts: { zone: "models", prefix: "kfp" },
    helm: { values: { controller: { replicas: 2, pdb: { enabled: true } } } },
  }),
};

describeWithSchemas("Kubeflow Pipelines against the reference data", () => {
  for (const [name, { json }] of Object.entries(VARIANTS)) {
    it(`validates every core object, the Argo chart values and every custom resource (${name})`, () => {
      const report = expectValidStack(json);
      expect(report.checked.HelmRelease).toBe(1);
      expect(report.checked.Deployment).toBeGreaterThanOrEqual(5);
      expect(report.checked.NetworkPolicy).toBeGreaterThanOrEqual(5);
      // Only KFP's own CRD (no core schema for CustomResourceDefinition) goes unchecked; ESO's resources are
      // validated against their CRDs.
      const unchecked = report.unchecked.map((u) => u.kind).filter((k) => k !== "CustomResourceDefinition");
      expect(unchecked).toEqual([]);
    });
  }

  it("validates Workflow and WorkflowTemplate objects carrying the controller's workflowDefaults against the CRDs", () => {
    const values = parse(
      (onlyResource(VARIANTS["RDS metadata, UI on"].json, "helm_release") as Json).values[0],
    );
    const spec = {
      ...values.controller.workflowDefaults.spec,
      entrypoint: "main",
      templates: [
        {
          name: "main",
          container: {
            image: "python:3.12-slim",
            command: ["python", "-c", "print('ok')"],
            securityContext: values.mainContainer.securityContext,
          },
        },
      ],
    };
    const objects = [
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: { name: "defaults", namespace: "kubeflow" },
        spec,
      },
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "WorkflowTemplate",
        metadata: { name: "defaults", namespace: "kubeflow" },
        spec,
      },
    ];
    for (const o of objects) {
      const result = validateCustomResource(o);
      expect(result.issues, o.kind).toEqual([]);
      expect(result.valid).toBe(true);
      countKind(o.kind);
    }
    const broken = validateCustomResource({ ...objects[0], spec: { ...spec, podGC: { strategy: 42 } } });
    expect(broken.valid).toBe(false);
  });

  it("fails when an Argo values override has a key the chart does not have, naming the key and the chart", () => {
    const { json } = synthKfp({ helm: { values: { controller: { replicaz: 2 } } } });
    const report = validateSynthesizedStack(json);
    const helm = report.failures.filter((f) => f.kind === "HelmRelease").map(formatFailure);
    expect(helm).toHaveLength(1);
    expect(helm[0]).toMatch(/argo-workflows/);
    expect(helm[0]).toMatch(/controller\.replicaz/);
    const direct = validateHelmValues("argo-workflows", { serverr: { enabled: false } });
    expect(direct.valid).toBe(false);
    expect(direct.issues.map((i) => i.path)).toContain("serverr");
  });
});
