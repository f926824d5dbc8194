/**
 * servingAccess as the real serving add-on wires it (its default, no podExtras): the synthesized model server
 * pods run as the role's service account, carry the Kafka settings and the mounted credentials, the env the service gets from the manifest loads in its own configuration loader, and
 * the NetworkPolicies select exactly those pods.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kafkaAddOn } from "../../../../../constructs/addons/kafka";
import { SERVING_SELDON_METRICS_PORT } from "../../../../../constructs/addons/monitoring/serving";
import {
  DEPLOYMENT_LABEL,
  INFERENCE_HTTP_PORT,
  KSERVE_CONTAINER_NAME,
  SELDON_SERVER_CONTAINER_NAME,
  servingAddOn,
} from "../../../../../constructs/addons/serving";
import { loadConfig } from "../../../../../service/src/config";
import { externalSecretsStub, monitoringStub, synthAddOns } from "../../../../support/addons";
import { failWhenMissingInCi } from "../../../../support/ci";
import { all, type Json, manifests } from "../../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../../support/schemas";
import { IMAGE, mlflowStub, POOLS, S3_VERSION } from "../support";
import { synthAccess } from "./support";

const opensslMissing = spawnSync("openssl", ["version"]).status !== 0;
failWhenMissingInCi(
  "servingAccess wired: the manifest's env in the service's loadConfig",
  opensslMissing && "openssl is missing",
);

/**
 * The serving add-on with its own access wiring (no podExtras: it calls servingAccess itself) on a real Strimzi
 * SCRAM Kafka; `access` is servingAccess called with the same options on a scratch add-on, to compare against.
 */
function synthWired(engine: "kserve" | "seldon") {
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
    { kafka: true },
  );
  const { json, outputs } = synthAddOns([
    kafkaAddOn({ strimzi: { authentication: "scram-sha-512" } }),
    externalSecretsStub,
    monitoringStub,
    mlflowStub,
    serving,
  ]);
  // What servingAccess gives for a Strimzi SCRAM principal, from its own synthesis (paths, names, keys).
  const { access } = synthAccess({ kafka: { strimzi: { authentication: "scram-sha-512" } } });
  expect(outputs.has("serving")).toBe(true);
  return { json, access };
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

describe("servingAccess as the serving add-on wires it", () => {
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
      const admitted = (prometheus.spec.ingress[0].ports as Json[]).map((p) => Number(p.port));
      expect(admitted).toContain(scraped);
      // Every admitted port is one a container of the pod declares (the server's, or Seldon's agent's metrics).
      const declared = (pod.containers as Json[]).flatMap((c) =>
        ((c.ports ?? []) as Json[]).map((p) => p.containerPort),
      );
      for (const port of admitted) expect(declared).toContain(port);
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
        // Seldon: its dataflow's KafkaUser credentials and CA as well (seldon-kafka.ts).
        expect(report.checked.ExternalSecret).toBe(engine === "kserve" ? 2 : 4);
      });
    }
  },
);
