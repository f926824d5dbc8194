import { describe, expect, it } from "vitest";
import {
  LIVENESS_PATH,
  READINESS_PATH,
  SERVING_ENDPOINTS,
  type ServingOutputs,
} from "../../../../constructs/addons/serving";
import { type Json, manifests } from "../../../support/manifests";
import {
  byName,
  envOf,
  IMAGE,
  MLFLOW_URI,
  predictorContainer,
  releaseValues,
  servingWith,
  synthServing,
} from "./support";

describe("what a deployment's pods get", () => {
  const { json, outputs } = synthServing(servingWith({ canary: { version: "3", weight: 10 } }));
  const isvc = byName(json, "InferenceService").readmission as Json;
  const predictor = isvc.spec.predictor as Json;
  const container = predictorContainer(isvc);

  it("runs the configured image by digest, listening on 0.0.0.0:8080, with MLflow's URL for the registry model", () => {
    expect(container.image).toBe(`${IMAGE.repository}@${IMAGE.digest}`);
    expect(container.name).toBe("kserve-container");
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(envOf(container)).toMatchObject({
      HOST: "0.0.0.0",
      PORT: "8080",
      MLFLOW_TRACKING_URI: MLFLOW_URI,
      AWS_REGION: "eu-west-1",
    });
  });

  it("probes the service's real endpoints: readiness and startup on /v2/health/ready, liveness on /v2/health/live", () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: READINESS_PATH, port: "http" });
    expect(container.startupProbe.httpGet).toEqual({ path: READINESS_PATH, port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: LIVENESS_PATH, port: "http" });
    // A model download gets minutes before liveness starts counting.
    expect(
      container.startupProbe.periodSeconds * container.startupProbe.failureThreshold,
    ).toBeGreaterThanOrEqual(300);
  });

  it("is PSS restricted: non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp", () => {
    expect(predictor.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    // The only writable path is the /tmp emptyDir (model cache).
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(predictor.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "2Gi" } }]);
  });

  it("requests CPU and memory, limits memory; scales on CPU between the configured bounds (KServe's HPA)", () => {
    expect(container.resources).toEqual({
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { memory: "2Gi" },
    });
    expect(predictor).toMatchObject({ minReplicas: 2, maxReplicas: 4, scaleMetric: "cpu", scaleTarget: 70 });
    expect(isvc.metadata.annotations).toEqual({
      "serving.kserve.io/deploymentMode": "RawDeployment",
      "serving.kserve.io/autoscalerClass": "hpa",
    });
  });

  it("spreads replicas over zones and nodes and runs on its pool; a PDB per version lets drains take one at a time", () => {
    // The monitoring add-on's contract: the deployment's name and the track (servingPodMonitor reads both).
    const labels = { "mlops.io/serving-deployment": "readmission", "mlops.io/serving-track": "stable" };
    expect(predictor.labels).toEqual(labels);
    const candidate = (byName(json, "InferenceService")["readmission-candidate"] as Json).spec.predictor;
    expect(candidate.labels["mlops.io/serving-track"]).toBe("candidate");
    expect(predictor.nodeSelector).toEqual({ "mlops.io/node-pool": "system" });
    expect(
      predictor.topologySpreadConstraints.map((t: Json) => [t.topologyKey, t.labelSelector.matchLabels]),
    ).toEqual([
      ["topology.kubernetes.io/zone", labels],
      ["kubernetes.io/hostname", labels],
    ]);
    const pdbs = byName(json, "PodDisruptionBudget");
    expect(Object.keys(pdbs).sort()).toEqual(["readmission", "readmission-candidate"]);
    expect((pdbs.readmission as Json).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: labels } });
  });

  it("installs KServe in RawDeployment mode without its own ingress, and Envoy Gateway; outputs the gateway's URL", () => {
    expect(releaseValues(json, "kserve-resources").kserve.controller).toMatchObject({
      deploymentMode: "RawDeployment",
      gateway: { disableIngressCreation: true },
    });
    expect(releaseValues(json, "gateway-helm").deployment.replicas).toBe(2);
    const out = outputs.get("serving") as ServingOutputs;
    expect(out.endpoint).toBe(SERVING_ENDPOINTS.kserve);
    expect(out.plans.map((p) => [p.deployment, p.phase, p.servedName])).toEqual([
      ["readmission", "canary", "readmission"],
    ]);
    const proxy = manifests(json, "EnvoyProxy")[0] as Json;
    expect(proxy.spec.provider.kubernetes.envoyService).toEqual({
      name: "serving-gateway",
      type: "ClusterIP",
    });
  });
});

describe("access and monitoring wired in", () => {
  const { json } = synthServing(servingWith({ shadow: { version: "3" } }), { kafka: true });
  const isvc = byName(json, "InferenceService").readmission as Json;

  it("runs as the access add-on's service account with the Kafka client settings and the delivered credentials", () => {
    const predictor = isvc.spec.predictor as Json;
    expect(predictor.serviceAccountName).toBe("model-server");
    const env = envOf(predictorContainer(isvc));
    expect(env).toMatchObject({ KAFKA_CLIENT_ID: "inference-service", KAFKA_SECURITY_PROTOCOL: "SSL" });
    expect(env.KAFKA_BROKERS).toMatch(/:9093$/);
    const mounts = (predictorContainer(isvc).volumeMounts as Json[]).map((m) => m.name);
    const volumes = (predictor.volumes as Json[]).map((v) => v.name);
    // Every credential volume is mounted, and every mount has its volume.
    expect(mounts.length).toBeGreaterThan(1);
    expect(volumes.sort()).toEqual([...mounts].sort());
  });

  it("the access role reads only the MLflow artifact prefix of the models zone; NetworkPolicies select the model servers", () => {
    const policies = Object.values(json.resource?.kubernetes_network_policy_v1 ?? {}) as Json[];
    const selecting = policies.filter(
      (p) =>
        JSON.stringify(p.spec.pod_selector).includes("mlops.io/serving-deployment") &&
        p.metadata.name.includes("serving"),
    );
    expect(selecting.length).toBeGreaterThanOrEqual(3);
    const documents = JSON.stringify(json.data?.aws_iam_policy_document ?? {});
    expect(documents).toContain("mlflow/*");
  });

  it("one PodMonitor per deployment on the service's port, with the deployment's name", () => {
    const monitors = manifests(json, "PodMonitor").filter((m) => m.metadata.namespace === "serving");
    expect(monitors.map((m) => m.metadata.name)).toEqual(["serving-readmission"]);
    expect(monitors[0]?.spec.selector.matchLabels).toEqual({ "mlops.io/serving-deployment": "readmission" });
    // The shadow candidate's series are labelled track="shadow".
    expect(JSON.stringify(monitors[0]?.spec.podMetricsEndpoints)).toContain('"replacement":"shadow"');
    expect(JSON.stringify(monitors[0]?.spec.podMetricsEndpoints)).toContain("8080");
  });
});

describe("placement and what the platform adds", () => {
  it("a pool's taints are tolerated; a GPU pool adds the nvidia.com/gpu request, limit and toleration", () => {
    const { json } = synthServing(servingWith({}, {}, { nodePool: "batch" }));
    const batch = (byName(json, "InferenceService").readmission as Json).spec.predictor;
    expect(batch.tolerations).toEqual([
      { key: "mlops.io/workload", operator: "Equal", value: "batch", effect: "NoSchedule" },
    ]);
    const gpu = synthServing(servingWith({}, {}, { nodePool: "gpu", image: { ...IMAGE, gpu: true } })).json;
    const predictor = (byName(gpu, "InferenceService").readmission as Json).spec.predictor;
    expect(predictor.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Equal",
      value: "true",
      effect: "NoSchedule",
    });
    expect(predictor.containers[0].resources).toMatchObject({
      requests: { "nvidia.com/gpu": "1" },
      limits: { "nvidia.com/gpu": "1" },
    });
  });

  it("takes the access add-on's service account, env, volumes and mounts into every engine's server container", () => {
    const podExtras = {
      serviceAccountName: "inference-service",
      env: [{ name: "KAFKA_BROKERS", value: "b:9093" }],
      volumes: [{ name: "kafka-certs", secret: { secretName: "inference-service-kafka" } }],
      volumeMounts: [{ name: "kafka-certs", mountPath: "/etc/kafka", readOnly: true }],
    };
    for (const engine of ["kserve", "seldon"] as const) {
      const { json } = synthServing(servingWith({}, { engine }), { podExtras });
      const pod =
        engine === "kserve"
          ? ((byName(json, "InferenceService").readmission as Json).spec.predictor as Json)
          : ((byName(json, "ServerConfig")["inference-service-readmission"] as Json).spec.podSpec as Json);
      const server = (pod.containers as Json[]).find(
        (c) => c.name === (engine === "kserve" ? "kserve-container" : "inference-service"),
      ) as Json;
      expect(pod.serviceAccountName, engine).toBe("inference-service");
      expect(envOf(server).KAFKA_BROKERS, engine).toBe("b:9093");
      expect(pod.volumes, engine).toContainEqual(podExtras.volumes[0]);
      expect(server.volumeMounts, engine).toContainEqual(podExtras.volumeMounts[0]);
    }
  });

  it("Seldon: the reference service is the server container beside Seldon's agent and rclone, on Seldon's server port", () => {
    const { json, outputs } = synthServing(servingWith({}, { engine: "seldon" }), { kafka: true });
    const pod = (byName(json, "ServerConfig")["inference-service-readmission"] as Json).spec.podSpec as Json;
    expect((pod.containers as Json[]).map((c) => c.name)).toEqual(["rclone", "agent", "inference-service"]);
    const server = (pod.containers as Json[])[2] as Json;
    expect(server.ports).toEqual([
      { name: "server-http", containerPort: 9000, protocol: "TCP" },
      { name: "server-grpc", containerPort: 9500, protocol: "TCP" },
    ]);
    // The agent decides what is loaded: explicit model control from its directory, gRPC control plane.
    expect(envOf(server)).toMatchObject({
      PORT: "9000",
      GRPC_PORT: "9500",
      MODEL_REPOSITORY: "/mnt/agent/models",
      MODEL_CONTROL: "explicit",
    });
    expect(envOf(server).MODEL_SOURCES).toBeUndefined();
    const agent = envOf((pod.containers as Json[])[1] as Json);
    expect(agent).toMatchObject({
      SELDON_SERVER_TYPE: "triton",
      SELDON_SERVER_HTTP_PORT: "9000",
      SELDON_SERVER_GRPC_PORT: "9500",
    });
    expect(envOf((pod.containers as Json[])[0] as Json)).toMatchObject({ RCLONE_CONFIG_S3_ENV_AUTH: "true" });
    for (const c of pod.containers as Json[]) {
      expect(c.securityContext, c.name).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
      expect(c.resources.requests, c.name).toHaveProperty("memory");
    }
    // Seldon's dataflow on the platform Kafka's TLS listener.
    const kafka = outputs.get("kafka") as { bootstrapServers: string; securityProtocol: string };
    expect(releaseValues(json, "seldon-core-v2-setup")).toMatchObject({
      kafka: { bootstrap: kafka.bootstrapServers },
      security: { kafka: { protocol: kafka.securityProtocol } },
    });
    expect(releaseValues(json, "seldon-core-v2-runtime").dataflow).toEqual({ disable: false });
    expect((outputs.get("serving") as ServingOutputs).endpoint).toBe(SERVING_ENDPOINTS.seldon);
  });
});
