import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseServingConfig } from "../../../../constructs/addons/serving";
import type { ServingDeploymentConfig } from "../../../../constructs/addons/serving/config";
import { SELDON_PORTS, seldonModel } from "../../../../constructs/addons/serving/seldon";
import { trafficPlan } from "../../../../constructs/addons/serving/traffic";
import type { Json } from "../../../support/manifests";
import { byName, envOf, S3_VERSION, servingWith, synthServing } from "./support";

const seldonWith = (traffic: Record<string, unknown> = {}) => servingWith(traffic, { engine: "seldon" });

/**
 * The Seldon server pod against the contract in service/README.md ("Running under Seldon Core v2", read from the
 * v2.10.2 agent): what the agent needs of its server and what the service needs of the agent's layout.
 */

function serverPod(traffic: Record<string, unknown> = {}) {
  const { json } = synthServing(seldonWith(traffic));
  const config = byName(json, "ServerConfig")["inference-service-readmission"] as Json;
  const pod = config.spec.podSpec as Json;
  const byContainer = Object.fromEntries((pod.containers as Json[]).map((c) => [c.name, c]));
  return {
    json,
    pod,
    agent: byContainer.agent as Json,
    service: byContainer["inference-service"] as Json,
    rclone: byContainer.rclone as Json,
  };
}

describe("Seldon server pod: the agent drives the reference service", () => {
  it("the agent treats the server as triton (layout <name>/<n>/model.onnx) and dials its gRPC control plane on 9500", () => {
    const { agent, service } = serverPod();
    const env = envOf(agent);
    expect(env.SELDON_SERVER_TYPE).toBe("triton");
    expect(env.SELDON_SERVER_GRPC_PORT).toBe(String(SELDON_PORTS.serverGrpc));
    expect(env.SELDON_SERVER_HTTP_PORT).toBe(String(SELDON_PORTS.serverHttp));
    expect(env.SELDON_SERVER_CAPABILITIES.split(",")).toContain("onnx");
    // MEMORY_REQUEST comes from the service container's own request.
    const memory = (agent.env as Json[]).find((e) => e.name === "MEMORY_REQUEST") as Json;
    expect(memory.valueFrom.resourceFieldRef).toEqual({
      containerName: service.name,
      resource: "requests.memory",
    });
  });

  it("the service listens where the agent dials, in explicit mode on the agent's shared volume, without model sources", () => {
    const { agent, service } = serverPod();
    const env = envOf(service);
    const agentEnv = envOf(agent);
    expect(env).toMatchObject({
      HOST: "0.0.0.0",
      PORT: agentEnv.SELDON_SERVER_HTTP_PORT,
      GRPC_PORT: agentEnv.SELDON_SERVER_GRPC_PORT,
      MODEL_REPOSITORY: "/mnt/agent/models",
      MODEL_CONTROL: "explicit",
    });
    for (const name of ["MODEL_SOURCES", "MODELS", "MLFLOW_TRACKING_URI"])
      expect(env, name).not.toHaveProperty(name);
    // Every variable once (Seldon's CRD keys env by name).
    const names = (service.env as Json[]).map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(service.ports).toEqual([
      { name: "server-http", containerPort: 9000, protocol: "TCP" },
      { name: "server-grpc", containerPort: 9500, protocol: "TCP" },
    ]);
    expect(service.livenessProbe.httpGet).toEqual({ path: "/v2/health/live", port: "server-http" });
    expect(service.readinessProbe.httpGet).toEqual({ path: "/v2/health/ready", port: "server-http" });
    expect(service.startupProbe.httpGet).toEqual({ path: "/v2/health/ready", port: "server-http" });
    // The agent writes /mnt/agent/models/<model>_<n>/<n>/; the service only reads it.
    const mount = (service.volumeMounts as Json[]).find((m) => m.mountPath === "/mnt/agent") as Json;
    expect(mount.readOnly).toBe(true);
    const agentMount = (agent.volumeMounts as Json[]).find((m) => m.mountPath === "/mnt/agent") as Json;
    expect(agentMount.name).toBe(mount.name);
  });

  it("the agent's rclone remote s3 authenticates from the pod's role (env_auth), with no keys, from the mounted agent.yaml", () => {
    const { json, pod, agent } = serverPod();
    const configVolume = (pod.volumes as Json[]).find((v) => v.name === "config-volume") as Json;
    expect((agent.volumeMounts as Json[]).find((m) => m.name === "config-volume")?.mountPath).toBe(
      "/mnt/config",
    );
    const configMap = byName(json, "ConfigMap")[configVolume.configMap.name] as Json;
    expect(configMap.metadata.namespace).toBe("serving");
    const agentYaml = parseYaml(configMap.data["agent.yaml"]) as Json;
    expect(agentYaml.rclone.config_secrets).toBeUndefined();
    const remotes = (agentYaml.rclone.config as string[]).map((c) => JSON.parse(c) as Json);
    expect(remotes).toEqual([
      { name: "s3", type: "s3", parameters: { provider: "AWS", env_auth: "true", region: "eu-west-1" } },
    ]);
    expect(JSON.stringify(configMap)).not.toMatch(/access_key_id|secret_access_key|session_token/);
  });
});

describe("Seldon Models: storageUri is an S3 folder rclone fetches", () => {
  it("each Model's storageUri is its version's S3 folder, named by the rclone remote the agent configures", () => {
    const { json } = synthServing(seldonWith({ canary: { uri: S3_VERSION(3), weight: 10 } }));
    const models = byName(json, "Model");
    expect((models.readmission as Json).spec.storageUri).toBe(S3_VERSION(2));
    expect((models["readmission-candidate"] as Json).spec.storageUri).toBe(S3_VERSION(3));
    const agentYaml = parseYaml(
      (byName(json, "ConfigMap")["inference-service-agent"] as Json).data["agent.yaml"],
    ) as Json;
    const remote = JSON.parse(agentYaml.rclone.config[0]) as Json;
    for (const m of Object.values(models))
      expect((m as Json).spec.storageUri.split(":")[0]).toBe(remote.name);
  });

  it("fails when a Seldon Model would get a registry reference (configuration bypassed): no models:/ storageUri is ever written", () => {
    // A KServe configuration's plan (registry model) handed to the Seldon renderer.
    const config = parseServingConfig(servingWith({}));
    const plan = trafficPlan("readmission", config.deployments.readmission as ServingDeploymentConfig);
    expect(() => seldonModel(plan, plan.stable)).toThrow(
      /model source "models:\/readmission@champion" cannot be a Seldon Model's storageUri; expected s3:\/\/<bucket>\/<one version's folder>/,
    );
  });
});
