/**
 * Contract test (issue 12): the container spec the kit synthesizes for the default deployment's model server
 * boots the real service. The spec (image CMD/WORKDIR/ENV from service/Dockerfile, env with its valueFrom,
 * Secret mounts, ports, probes) is turned into a local process by manifest-process.ts, mechanically; the cluster
 * is a real Kafka (the KafkaUser's authentication over TLS, its ACLs, the platform's topics) and a real MLflow
 * with the model under the name and alias the manifest names. Every probe must answer 200 on the declared
 * port, an inference on the route the gateway (KServe) or the agent (Seldon) uses must succeed, and its
 * prediction event must reach Kafka; a renamed variable or a changed port in the spec fails the same check.
 */
import { execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KAFKA_INSTALL_HINT, kafkaUnavailableReason } from "../../../../scripts/kafka/broker";
import { describeVariables } from "../../../../service/src/config";
import { OIP_GRPC_DESCRIPTOR } from "../../../../service/src/grpc/descriptor";
import { opensslUnavailableReason } from "../../../../service/test/feedback/tls-fixtures";
import { exampleRows, inferBody, MODELS_DIR } from "../../../../service/test/http/real-service";
import { type RunningServer, requireServerBin } from "../../../../service/test/inference/servers";
import { failWhenMissingInCi } from "../../../support/ci";
import type { Json } from "../../../support/manifests";
import { bootCheck, eventReached, infer } from "./boot-check";
import { type KafkaStandIn, startKafka, startMlflowWith, syncExternalSecrets } from "./cluster-stand-ins";
import { containerProcess, type ImageDefaults, type PodContext, replayImage } from "./manifest-process";
import {
  kserveServingManifest,
  type SeldonServerManifest,
  type ServingManifest,
  seldonServingManifest,
} from "./manifest-source";
import { S3_VERSION } from "./support";

const SUITE = "manifest boots the service";
const kafkaMissing = kafkaUnavailableReason() ?? opensslUnavailableReason();
failWhenMissingInCi(SUITE, kafkaMissing && `${kafkaMissing}; install with: ${KAFKA_INSTALL_HINT}`);
const MLFLOW = requireServerBin("MLFLOW_BIN", "mlflow", SUITE, "mlflow (pip mlflow)");
const REPO = resolve(import.meta.dirname, "../../../..");
/** The committed model version registered in MLflow (its example rows are the request). */
const MODEL_VERSION = "2";

const envValue = (container: Json, name: string) =>
  (container.env as Json[]).find((e) => e.name === name)?.value as string | undefined;
const withEnv = (container: Json, rename: string, to: string) => ({
  ...container,
  env: container.env.map((e: Json) => (e.name === rename ? { ...e, name: to } : e)),
});
const request = () => ({
  id: `contract-${randomBytes(6).toString("hex")}`,
  rows: exampleRows(MODEL_VERSION),
});
/** A loopback address of the pod's own, so the declared ports can be used as they are. */
const podAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

describe.skipIf(kafkaMissing !== undefined || MLFLOW === undefined)(SUITE, () => {
  let m: ServingManifest;
  let seldon: SeldonServerManifest;
  let image: ImageDefaults;
  let kafka: KafkaStandIn;
  let mlflow: RunningServer;
  let pod: PodContext;
  const temp: string[] = [];
  const track = (dir: string) => {
    temp.push(dir);
    return dir;
  };

  /** The pod context of a manifest: its namespace, its Secrets, the stand-ins. */
  function podContext(name: string, namespace: string, externalSecrets: readonly Json[]): PodContext {
    const user = m.kafkaUser;
    return {
      podIp: podAddress(),
      podName: name,
      namespace,
      services: {
        [`${user.metadata.labels["strimzi.io/cluster"]}-kafka-bootstrap.${user.metadata.namespace}`]:
          kafka.broker.listenerBootstrap(kafka.listener),
        "mlflow.mlflow": new URL(mlflow.url).host,
      },
      // The model server's Secrets only (Seldon's dataflow has its own KafkaUser, which no pod here mounts).
      secrets: syncExternalSecrets(
        externalSecrets.filter((e) => e.spec.secretStoreRef.name !== "kafka-seldon"),
        kafka.strimziSecrets,
      ),
      root: track(mkdtempSync(join(tmpdir(), "serving-contract-pod-"))),
    };
  }

  beforeAll(async () => {
    m = kserveServingManifest();
    seldon = seldonServingManifest(S3_VERSION(1));
    image = replayImage(REPO, "service/Dockerfile");
    track(image.tempDir);
    kafka = await startKafka(m.kafkaUser, m.topics);
    const sources = envValue(m.container, "MODEL_SOURCES") as string;
    mlflow = await startMlflowWith(MLFLOW as string, sources.slice(sources.indexOf("=") + 1), MODEL_VERSION);
    pod = podContext(`${m.isvc.metadata.name}-predictor-0`, m.isvc.metadata.namespace, m.externalSecrets);
  }, 300_000);

  afterAll(async () => {
    await mlflow?.stop();
    await kafka?.broker.destroy();
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  /** KServe: inference on the HTTPRoute's path at the predictor Service's target, then the event in Kafka. */
  const kserveCheck = (container: Json) => async (): Promise<string[]> => {
    // KServe's predictor Service (port 80) targets the container's first port; the route matches a path prefix.
    const rule = m.route.spec.rules[0] as Json;
    if (rule.backendRefs[0].name !== `${m.isvc.metadata.name}-predictor`) return ["route backend"];
    const { id, rows } = request();
    const port = container.ports[0].containerPort as number;
    const failed = await infer(
      `http://${pod.podIp}:${port}${rule.matches[0].path.value}/infer`,
      inferBody(rows, { id }),
    );
    if (failed) return [failed];
    const topic = envValue(container, "KAFKA_PREDICTIONS_TOPIC") ?? "predictions";
    return (await eventReached(kafka, topic, id)) ? [] : [`no prediction event with key ${id} on ${topic}`];
  };

  it("every variable the manifest sets is one the service reads (its configuration, or process.env directly)", () => {
    const direct = execFileSync("grep", ["-rhoE", "process\\.env\\.[A-Z_0-9]+", join(REPO, "service/src")], {
      encoding: "utf8",
    });
    const known = new Set([
      ...describeVariables().map((v) => v.name),
      ...direct.split("\n").map((l) => l.replace("process.env.", "")),
    ]);
    for (const container of [m.container, seldon.container]) {
      const names = (container.env as Json[]).map((e) => e.name as string);
      expect(names.filter((n) => !known.has(n))).toEqual([]);
      expect(names).toContain("KAFKA_BROKERS");
    }
  });

  it("KServe: every probe answers 200 on the declared port, the gateway's route infers, the prediction reaches Kafka", async () => {
    const boot = await bootCheck(m.pod, m.container, image, pod, kserveCheck(m.container));
    expect(boot.failures, `${m.source}\n${boot.log.join("").slice(-3000)}`).toEqual([]);
    expect(Object.keys(containerProcess(m.pod, m.container, image, pod).probes).sort()).toEqual([
      "livenessProbe",
      "readinessProbe",
      "startupProbe",
    ]);
  }, 240_000);

  it("KServe: fails when an env variable is renamed (KAFKA_BROKERS → KAFKA_BOOTSTRAP_SERVERS)", async () => {
    const renamed = withEnv(m.container, "KAFKA_BROKERS", "KAFKA_BOOTSTRAP_SERVERS");
    const boot = await bootCheck(m.pod, renamed, image, pod, kserveCheck(renamed));
    expect(boot.failures.join("\n")).toMatch(/no prediction event/);
  }, 240_000);

  it("KServe: fails when the container port changes (the service still listens on PORT)", async () => {
    const moved = {
      ...m.container,
      ports: m.container.ports.map((p: Json) => ({ ...p, containerPort: p.containerPort + 1 })),
    };
    const boot = await bootCheck(m.pod, moved, image, pod, kserveCheck(moved));
    expect(boot.failures.join("\n")).toMatch(/readinessProbe .* answered 599/);
    expect(boot.failures.join("\n")).toMatch(/inference .* answered 599/);
  }, 240_000);

  /**
   * Seldon: what the agent beside the server does, on the ports the agent's own env names — ServerReady over
   * gRPC, the model written in its triton layout into the shared volume, RepositoryModelLoad of the versioned
   * name, inference over REST — then the event in Kafka.
   */
  const seldonCheck = (container: Json, ctx: PodContext) => async (proc: { env: Record<string, string> }) => {
    const agentEnv = (name: string) => envValue(seldon.agent, name);
    const pkg = grpc.loadPackageDefinition(
      fromJSON(OIP_GRPC_DESCRIPTOR as unknown as Parameters<typeof fromJSON>[0], {
        keepCase: true,
        defaults: true,
      }),
    ) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
    const client = new pkg.inference.GRPCInferenceService(
      `${ctx.podIp}:${agentEnv("SELDON_SERVER_GRPC_PORT")}`,
      grpc.credentials.createInsecure(),
    );
    const call = (method: string, req: object) =>
      new Promise<Json>((ok, fail) =>
        (client[method] as grpc.requestCallback<Json> & ((...a: unknown[]) => void))(
          req,
          { deadline: Date.now() + 10_000 },
          (err: Error | null, res: Json) => (err ? fail(err) : ok(res)),
        ),
      );
    try {
      const ready: Json = await call("ServerReady", {}).catch((e: Error) => ({ error: e.message }));
      if (ready.ready !== true)
        return [`gRPC ServerReady on the agent's SELDON_SERVER_GRPC_PORT: ${JSON.stringify(ready)}`];
      const name = "readmission_1";
      const repository = proc.env.MODEL_REPOSITORY as string;
      cpSync(join(MODELS_DIR, "readmission", MODEL_VERSION), join(repository, name, "1"), {
        recursive: true,
      });
      writeFileSync(join(repository, name, "config.pbtxt"), `name: "${name}"\n`);
      await call("RepositoryModelLoad", { model_name: name });
      const { id, rows } = request();
      const url = `http://${ctx.podIp}:${agentEnv("SELDON_SERVER_HTTP_PORT")}/v2/models/${name}/infer`;
      const failed = await infer(url, inferBody(rows, { id }));
      if (failed) return [failed];
      const topic = envValue(container, "KAFKA_PREDICTIONS_TOPIC") ?? "predictions";
      return (await eventReached(kafka, topic, id)) ? [] : [`no prediction event with key ${id} on ${topic}`];
    } catch (error) {
      return [`the agent's calls: ${String(error)}`];
    } finally {
      client.close();
    }
  };

  it("Seldon: the ServerConfig's server answers its probes and the agent's gRPC load and REST inference; the prediction reaches Kafka", async () => {
    // The same KafkaUser as the KServe default, so the same broker stands in.
    expect(seldon.kafkaUser).toEqual(m.kafkaUser);
    const ctx = podContext("readmission-0", seldon.serverConfig.metadata.namespace, seldon.externalSecrets);
    const boot = await bootCheck(
      seldon.pod,
      seldon.container,
      image,
      ctx,
      seldonCheck(seldon.container, ctx),
    );
    expect(boot.failures, `${seldon.source}\n${boot.log.join("").slice(-3000)}`).toEqual([]);
  }, 240_000);

  it("Seldon: fails when the server's GRPC_PORT is renamed (the agent's control plane is refused)", async () => {
    const renamed = withEnv(seldon.container, "GRPC_PORT", "GRPC_LISTEN_PORT");
    const ctx = podContext("readmission-0", seldon.serverConfig.metadata.namespace, seldon.externalSecrets);
    const boot = await bootCheck(seldon.pod, renamed, image, ctx, seldonCheck(renamed, ctx));
    expect(boot.failures.join("\n")).toMatch(/gRPC ServerReady on the agent's SELDON_SERVER_GRPC_PORT/);
  }, 240_000);

  it("fails loudly on what it cannot map: an unknown valueFrom, a cluster Service without a stand-in", () => {
    const extra = (e: Json) => ({ ...m.container, env: [...m.container.env, e] });
    expect(() =>
      containerProcess(
        m.pod,
        extra({ name: "X", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } }),
        image,
        pod,
      ),
    ).toThrow(/cannot map env X.valueFrom/);
    expect(() =>
      containerProcess(m.pod, extra({ name: "Y", value: "http://other.elsewhere.svc:80" }), image, pod),
    ).toThrow(/no loopback stand-in for the cluster Service other.elsewhere/);
    const probe = { ...m.container, readinessProbe: { httpGet: { path: "/", port: "metrics" } } };
    expect(() => containerProcess(m.pod, probe, image, pod)).toThrow(/readinessProbe.httpGet.port/);
  });
});
