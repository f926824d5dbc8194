import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { onlyResource } from "../../../support/synth";
import { type Json, synthKfp } from "./support";

const values = (): Json => {
  const { json } = synthKfp({ enabled: true });
  return parse((onlyResource(json, "helm_release") as Json).values[0]) as Json;
};

describe("Argo Workflows values of the Kubeflow Pipelines add-on", () => {
  const v = values();

  it("turns cluster workflow templates off: with singleNamespace the chart would bind a ClusterRole it never creates", () => {
    // argo-workflows 1.0.18 renders `<controller>-cluster-template` (ClusterRoleBinding) whenever
    // controller.clusterWorkflowTemplates.enabled, but not the ClusterRole under singleNamespace.
    expect(v.singleNamespace).toBe(true);
    expect(v.controller.clusterWorkflowTemplates).toEqual({ enabled: false });
  });

  it("gives workflow step containers default CPU and memory requests, and the executor its own", () => {
    expect(v.mainContainer.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" } });
    expect(v.executor.resources.requests).toEqual({ cpu: "10m", memory: "64Mi" });
  });
});
