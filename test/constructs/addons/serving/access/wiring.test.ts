/**
 * servingAccess wired into the real serving add-on through its `podExtras` hook, as the add-on is meant to use
 * it: the synthesized model server pods run as the role's service account, carry the Kafka settings and the
 * mounted credentials, the env the service gets from the manifest loads in its own configuration loader, and
 * the NetworkPolicies select exactly those pods.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type KafkaOutputs, kafkaAddOn } from "../../../../../constructs/addons/kafka";
import { SERVING_SELDON_METRICS_PORT } from "../../../../../constructs/addons/monitoring/serving";
import {
  DEPLOYMENT_LABEL,
  ENVOY_GATEWAY_NAMESPACE,
  INFERENCE_HTTP_PORT,
  KSERVE_CONTAINER_NAME,
  SELDON_SERVER_CONTAINER_NAME,
  servingAddOn,
} from "../../../../../constructs/addons/serving";
import { type ServingAccess, servingAccess } from "../../../../../constructs/addons/serving/access";
import type { ServingPodExtras } from "../../../../../constructs/addons/serving/pod";
import type { AddOn, AddOnContext } from "../../../../../constructs/core/addon";
import type { PlatformNamespace } from "../../../../../constructs/core/platform-namespace";
import { loadConfig } from "../../../../../service/src/config";
import { externalSecretsStub, monitoringStub, synthAddOns } from "../../../../support/addons";
import { failWhenMissingInCi } from "../../../../support/ci";
import { all, type Json, manifests } from "../../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../../support/schemas";
import { IMAGE, mlflowStub, POOLS, S3_VERSION } from "../support";

const opensslMissing = spawnSync("openssl", ["version"]).status !== 0;
failWhenMissingInCi(
  "servingAccess wired: the manifest's env in the service's loadConfig",
  opensslMissing && "openssl is missing",
);

/** The serving add-on with servingAccess as its pod extras (once for the namespace), on a real Strimzi Kafka. */
function synthWired(engine: "kserve" | "seldon") {
  let kafka: KafkaOutputs | undefined;
  let access: ServingAccess | undefined;
  const strimzi = kafkaAddOn({ strimzi: { authentication: "scram-sha-512" } });
  // Captures the Kafka outputs: the serving add-on reads Kafka's outputs only for Seldon's dataflow.
  const kafkaAddOnCapturing: AddOn<unknown> = {
    id: "kafka",
    deploy: (c) => {
      kafka = strimzi.deploy(c);
      return kafka;
    },
  };
  const podExtras = (_deployment: string, context: AddOnContext): ServingPodExtras => {
    access ??= servingAccess(context, {
      namespace: context.scope.node.findChild("Namespace") as PlatformNamespace,
      pods: { labelKeys: [DEPLOYMENT_LABEL] },
      modelPrefixes: ["mlflow/"],
      inferencePorts: [INFERENCE_HTTP_PORT],
      metricsPorts: [engine === "kserve" ? INFERENCE_HTTP_PORT : SERVING_SELDON_METRICS_PORT],
      ingressFrom: engine === "kserve" ? [{ namespace: ENVOY_GATEWAY_NAMESPACE }] : [],
      kafka,
      path: "addons.serving",
    });
    return access;
  };
  const serving = servingAddOn(
    {
      enabled: true,
      engine,
      image: IMAGE,
      seldon: { acknowledgeBusinessSourceLicense: true },
      // Seldon serves S3 folders of versions (rclone cannot read a registry reference).
      deployments: {
        readmission: {
          model:
            engine === "seldon"
              ? { uri: S3_VERSION(2), servedName: "readmission" }
              : { registeredModel: "readmission" },
        },
      },
    },
    POOLS,
    { podExtras },
  );
  const { json } = synthAddOns([
    kafkaAddOnCapturing,
    externalSecretsStub,
    monitoringStub,
    mlflowStub,
    serving,
  ]);
  return { json, access: access as ServingAccess };
}

/** The reference service's container and its pod, per engine. */
function serverPod(json: ReturnType<typeof synthWired>["json"], engine: "kserve" | "seldon") {
  if (engine === "kserve") {
    const [isvc] = manifests(json, "InferenceService");
    const pod = isvc.spec.predictor as Json;
    const container = (pod.containers as Json[]).find((c) => c.name === KSERVE_CONTAINER_NAME) as Json;
    return { pod, container, labels: { ...isvc.metadata.labels, ...(pod.labels ?? {}) } as Json };
  }
  const [config] = manifests(json, "ServerConfig");
  const [server] = manifests(json, "Server");
  const pod = config.spec.podSpec as Json;
  const container = (pod.containers as Json[]).find((c) => c.name === SELDON_SERVER_CONTAINER_NAME) as Json;
  // Seldon's operator merges the Server's (and ServerConfig's) labels into its StatefulSet's pod template.
  return { pod, container, labels: { ...server.metadata.labels, ...(config.metadata.labels ?? {}) } as Json };
}

describe("servingAccess wired into the serving add-on", () => {
  for (const engine of ["kserve", "seldon"] as const) {
    it(`${engine}: the server pod runs as the role's service account with the Kafka settings and credentials mounted`, () => {
      const { json, access } = synthWired(engine);
      const { pod, container, labels } = serverPod(json, engine);
      expect(pod.serviceAccountName).toBe("model-server");
      const names = (container.env as Json[]).map((e) => e.name as string);
      // KServe's and Seldon's CRDs key env by name: a duplicate would be refused by the API server.
      expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
      for (const e of access.env) expect(container.env).toContainEqual(e);
      for (const m of access.volumeMounts) expect(container.volumeMounts).toContainEqual(m);
      for (const v of access.volumes) expect(pod.volumes).toContainEqual(v);
      // The pod's fsGroup is the group the 0440 credential files need.
      expect(pod.securityContext.fsGroup).toBe(access.fsGroup);
      // The policies select by the deployment label, which the server pods carry.
      expect(labels[DEPLOYMENT_LABEL]).toBe("readmission");
      // Prometheus is admitted on the port the serving PodMonitor scrapes for this engine, a port the pod serves.
      const scraped = engine === "kserve" ? INFERENCE_HTTP_PORT : SERVING_SELDON_METRICS_PORT;
      const prometheus = all(json, "kubernetes_network_policy_v1").find(
        (p) => p.metadata.name === "allow-ingress-serving-prometheus",
      ) as Json;
      expect(prometheus.spec.ingress[0].ports).toEqual([{ port: String(scraped), protocol: "TCP" }]);
      expect((container.ports as Json[]).map((p) => p.containerPort)).toContain(scraped);
    });
  }

  it.skipIf(opensslMissing)(
    "kserve: the container env of the synthesized manifest loads in the service's own configuration",
    () => {
      const { json, access } = synthWired("kserve");
      const { container } = serverPod(json, "kserve");
      const root = mkdtempSync(join(tmpdir(), "serving-wiring-"));
      const cert = join(root, "cert.pem");
      const key = join(root, "key.pem");
      spawnSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"].concat([
          "-days",
          "1",
          "-subj",
          "/CN=ca",
          "-keyout",
          key,
          "-out",
          cert,
        ]),
      );
      const moved = (p: string) => p.replace("/var/run/secrets/kafka", root);
      for (const m of access.volumeMounts) mkdirSync(moved(m.mountPath), { recursive: true });
      writeFileSync(moved(`${access.volumeMounts[0].mountPath}/ca.crt`), readFileSync(cert));
      writeFileSync(moved(`${access.volumeMounts[1].mountPath}/password`), "from-the-user-operator");
      const env = Object.fromEntries((container.env as Json[]).map((e) => [e.name, moved(String(e.value))]));
      const config = loadConfig(env);
      expect(config.KAFKA_SECURITY_PROTOCOL).toBe("SASL_SSL");
      expect(config.KAFKA_SASL_USERNAME).toBe("inference-service");
    },
  );
});

describeWithSchemas(
  "servingAccess wired: the engines' objects with the extras against the reference schemas",
  () => {
    for (const engine of ["kserve", "seldon"] as const) {
      it(`${engine}: every object is valid`, () => {
        const { json } = synthWired(engine);
        const report = expectValidStack(json);
        expect(report.checked[engine === "kserve" ? "InferenceService" : "ServerConfig"]).toBe(1);
        expect(report.checked.ExternalSecret).toBe(2);
      });
    }
  },
);
