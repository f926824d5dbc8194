import { describe, expect, it } from "vitest";
import {
  diffAgainstUpstream,
  OMITTED_UPSTREAM,
  UPSTREAM_COMPONENTS,
} from "../../../scripts/kubeflow-upstream/compare";
import { kitWorkloads } from "../../../scripts/kubeflow-upstream/diff";
import { all, type Json, synthKfp } from "../../constructs/addons/kubeflow-pipelines/support";

/** An upstream-shaped Deployment (as `kustomize build` prints it). */
function upstreamDeployment(name: string, image: string, env: string[], ports: number[] = []): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "kubeflow" },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name,
              image,
              env: env.map((e) => ({ name: e, value: "x" })),
              ports: ports.map((p) => ({ containerPort: p })),
            },
          ],
        },
      },
    },
  };
}

describe("Kubeflow Pipelines upstream mapping", () => {
  const kit = kitWorkloads();

  it("documents the upstream source of every workload the add-on runs", () => {
    const { json } = synthKfp({});
    const names = all(json, "kubernetes_deployment_v1").map((d) => d.metadata.name as string);
    expect(names.length).toBe(7);
    for (const n of names) expect(UPSTREAM_COMPONENTS[n]?.files.length, n).toBeGreaterThan(0);
    for (const n of names) expect(OMITTED_UPSTREAM[n], n).toBeUndefined();
  });

  it("synthesizes the kit's workloads as Kubernetes objects for the diff", () => {
    const api = kit.find(
      (o) => o.kind === "Deployment" && (o.metadata as Json).name === "ml-pipeline",
    ) as Json;
    expect(api.kind).toBe("Deployment");
    expect(api.spec.template.spec.containers[0].image).toBe("ghcr.io/kubeflow/kfp-api-server:2.17.1");
    expect(
      api.spec.template.spec.containers[0].env.some((e: Json) => e.name === "OBJECTSTORECONFIG_HOST"),
    ).toBe(true);
  });

  it("reports nothing for an upstream release the kit mirrors, with documented drops and omissions", () => {
    const upstream = [
      upstreamDeployment(
        "ml-pipeline",
        "ghcr.io/kubeflow/kfp-api-server:2.17.1",
        [
          "PUBLISH_LOGS",
          "OBJECTSTORECONFIG_ACCESSKEY",
          "OBJECTSTORECONFIG_SECRETACCESSKEY",
          "DBCONFIG_USER",
          "V2_DRIVER_IMAGE",
        ],
        [8888, 8887],
      ),
      upstreamDeployment("seaweedfs", "chrislusf/seaweedfs:4.00", ["AWS_ACCESS_KEY_ID"]),
      upstreamDeployment("cache-server", "ghcr.io/kubeflow/kfp-cache-server:2.17.1", []),
      { apiVersion: "v1", kind: "Service", metadata: { name: "ml-pipeline" } },
    ];
    expect(diffAgainstUpstream(upstream, kit)).toEqual([]);
  });

  it("reports new env vars, tag changes, port changes and unknown components of a newer release", () => {
    const upstream = [
      upstreamDeployment(
        "ml-pipeline",
        "ghcr.io/kubeflow/kfp-api-server:2.18.0",
        ["PUBLISH_LOGS", "NEW_FLAG"],
        [8888, 8887, 8443],
      ),
      upstreamDeployment("ml-pipeline-reaper", "ghcr.io/kubeflow/kfp-reaper:2.18.0", []),
    ];
    expect(diffAgainstUpstream(upstream, kit)).toEqual([
      { component: "ml-pipeline", message: "image tag 2.18.0 upstream, 2.17.1 in the kit" },
      { component: "ml-pipeline", message: "env NEW_FLAG set upstream, not by the kit" },
      { component: "ml-pipeline", message: "ports 8443,8887,8888 upstream, 8887,8888 in the kit" },
      {
        component: "ml-pipeline-reaper",
        message: "new upstream component: mirror it in the add-on or list it in OMITTED_UPSTREAM",
      },
    ]);
  });
});
