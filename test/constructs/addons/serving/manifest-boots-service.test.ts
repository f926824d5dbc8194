/**
 * Contract test (issue 12): the container spec the kit synthesizes for the default deployment's model server
 * boots the real service. The spec (image CMD/WORKDIR/ENV from service/Dockerfile, env with its valueFrom,
 * Secret mounts, ports, probes) is turned into a local process by manifest-process.ts, mechanically; the cluster
 * is a real Kafka (SCRAM over TLS, the KafkaUser's ACLs, the platform's topics) and a real MLflow with the
 * model under the name and alias the manifest names. Every probe must answer 200 on the declared port, an
 * inference on the HTTPRoute's path must succeed, and its prediction event must reach Kafka; a renamed
 * variable or a changed port in the spec must fail the same check.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KAFKA_INSTALL_HINT, kafkaUnavailableReason } from "../../../../scripts/kafka/broker";
import { describeVariables } from "../../../../service/src/config";
import { readTopic } from "../../../../service/test/feedback/kafka-helpers";
import { opensslUnavailableReason } from "../../../../service/test/feedback/tls-fixtures";
import { exampleRows, inferBody } from "../../../../service/test/http/real-service";
import { type RunningServer, requireServerBin } from "../../../../service/test/inference/servers";
import { failWhenMissingInCi } from "../../../support/ci";
import type { Json } from "../../../support/manifests";
import { type KafkaStandIn, startKafka, startMlflowWith, syncExternalSecrets } from "./cluster-stand-ins";
import { containerProcess, type ImageDefaults, type PodContext, replayImage } from "./manifest-process";
import { kserveServingManifest, type ServingManifest } from "./manifest-source";

const SUITE = "manifest boots the service";
const kafkaMissing = kafkaUnavailableReason() ?? opensslUnavailableReason();
failWhenMissingInCi(SUITE, kafkaMissing && `${kafkaMissing}; install with: ${KAFKA_INSTALL_HINT}`);
const MLFLOW = requireServerBin("MLFLOW_BIN", "mlflow", SUITE, "mlflow (pip mlflow)");
const REPO = resolve(import.meta.dirname, "../../../..");
/** The committed model version registered in MLflow (its example rows are the request). */
const MODEL_VERSION = "2";

interface Boot {
  readonly failures: string[];
  readonly log: string[];
}

/** Starts the process the spec describes, runs the checks, stops it; returns what failed. */
async function bootCheck(
  m: ServingManifest,
  container: Json,
  image: ImageDefaults,
  cluster: PodContext,
  kafka: KafkaStandIn,
): Promise<Boot> {
  const proc = containerProcess(m.pod, container, image, cluster);
  const env = Object.fromEntries(container.env.map((e: Json) => [e.name, proc.env[e.name]]));
  const failures: string[] = [];
  const log: string[] = [];
  const child: ChildProcess = spawn(proc.argv[0] as string, proc.argv.slice(1), {
    cwd: proc.cwd,
    env: { PATH: process.env.PATH ?? "", ...proc.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.stdout?.on("data", (b: Buffer) => log.push(b.toString()));
  child.stderr?.on("data", (b: Buffer) => log.push(b.toString()));
  const get = async (url: string, init?: RequestInit) => {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    } catch (error) {
      return new Response(String(error), { status: 599 });
    }
  };
  try {
    // The startup probe's budget bounds how long the model may take to load (capped for the test's sake).
    const startup = container.startupProbe as Json;
    const deadline = Date.now() + Math.min(120, startup.periodSeconds * startup.failureThreshold) * 1000;
    const listening = () => log.join("").includes("Server listening at");
    while (!listening() && child.exitCode === null && Date.now() < deadline) await sleep(250);
    if (!listening()) return { failures: [`never listened: ${log.join("").slice(-2000)}`], log };
    // Listening means the models loaded; the probes get a short grace together.
    const until = Date.now() + 10_000;
    for (const [probe, url] of Object.entries(proc.probes)) {
      let res = await get(url);
      for (; res.status !== 200 && Date.now() < until; res = await get(url)) await sleep(250);
      if (res.status !== 200) failures.push(`${probe} ${url} answered ${res.status}`);
    }
    // KServe's predictor Service (port 80) targets the container's first port; the route matches a path prefix.
    const rule = m.route.spec.rules[0] as Json;
    const backend = rule.backendRefs[0] as Json;
    if (backend.name !== `${m.isvc.metadata.name}-predictor`) failures.push(`route backend ${backend.name}`);
    const port = container.ports[0].containerPort as number;
    const id = `contract-${randomBytes(6).toString("hex")}`;
    const url = `http://${cluster.podIp}:${port}${rule.matches[0].path.value}/infer`;
    const res = await get(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(inferBody(exampleRows(MODEL_VERSION), { id })),
    });
    if (res.status !== 200) {
      failures.push(`inference ${url} answered ${res.status}: ${await res.text()}`);
      return { failures, log };
    }
    const topic = env.KAFKA_PREDICTIONS_TOPIC ?? "predictions";
    let found = false;
    for (const until = Date.now() + 15_000; !found && Date.now() < until; ) {
      found = (await readTopic(kafka.admin, topic).catch(() => [])).some((msg) => msg.key === id);
      if (!found) await sleep(1000);
    }
    if (!found) failures.push(`no prediction event with key ${id} on ${topic}`);
    return { failures, log };
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(kafkaMissing !== undefined || MLFLOW === undefined)(SUITE, () => {
  let m: ServingManifest;
  let image: ImageDefaults;
  let kafka: KafkaStandIn;
  let mlflow: RunningServer;
  let pod: PodContext;

  beforeAll(async () => {
    m = kserveServingManifest();
    console.info(`${SUITE}: the InferenceService of ${m.source}`);
    image = replayImage(REPO, "service/Dockerfile");
    kafka = await startKafka(m.kafkaUser, m.topics);
    const sources = m.container.env.find((e: Json) => e.name === "MODEL_SOURCES")?.value as string;
    mlflow = await startMlflowWith(MLFLOW as string, sources.slice(sources.indexOf("=") + 1), MODEL_VERSION);
    const cluster = m.kafkaUser.metadata.labels["strimzi.io/cluster"];
    pod = {
      // A loopback address of the pod's own, so the declared ports can be used as they are.
      podIp: `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`,
      podName: `${m.isvc.metadata.name}-predictor-0`,
      namespace: m.isvc.metadata.namespace,
      services: {
        [`${cluster}-kafka-bootstrap.${m.kafkaUser.metadata.namespace}`]: kafka.broker.listenerBootstrap(
          kafka.listener,
        ),
        "mlflow.mlflow": new URL(mlflow.url).host,
      },
      secrets: syncExternalSecrets(m.externalSecrets, kafka.strimziSecrets),
      root: mkdtempSync(join(tmpdir(), "serving-contract-pod-")),
    };
  }, 300_000);

  afterAll(async () => {
    await mlflow?.stop();
    await kafka?.broker.destroy();
  });

  it("every variable the manifest sets is one the service reads (its configuration, or process.env directly)", () => {
    const direct = execFileSync("grep", ["-rhoE", "process\\.env\\.[A-Z_0-9]+", join(REPO, "service/src")], {
      encoding: "utf8",
    });
    const known = new Set([
      ...describeVariables().map((v) => v.name),
      ...direct.split("\n").map((l) => l.replace("process.env.", "")),
    ]);
    const names = (m.container.env as Json[]).map((e) => e.name as string);
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    expect(names).toContain("KAFKA_BROKERS");
  });

  it("boots: every probe answers 200 on the declared port, the gateway's route infers, the prediction reaches Kafka", async () => {
    const boot = await bootCheck(m, m.container, image, pod, kafka);
    expect(boot.failures, `${m.source}\n${boot.log.join("").slice(-3000)}`).toEqual([]);
    expect(Object.keys(containerProcess(m.pod, m.container, image, pod).probes).sort()).toEqual([
      "livenessProbe",
      "readinessProbe",
      "startupProbe",
    ]);
  }, 240_000);

  it("fails when an env variable is renamed (KAFKA_BROKERS → KAFKA_BOOTSTRAP_SERVERS)", async () => {
    const renamed = {
      ...m.container,
      env: m.container.env.map((e: Json) =>
        e.name === "KAFKA_BROKERS" ? { ...e, name: "KAFKA_BOOTSTRAP_SERVERS" } : e,
      ),
    };
    const boot = await bootCheck(m, renamed, image, pod, kafka);
    expect(boot.failures.join("\n")).toMatch(/no prediction event/);
  }, 240_000);

  it("fails when the container port changes (the service still listens on PORT)", async () => {
    const moved = {
      ...m.container,
      ports: m.container.ports.map((p: Json) => ({ ...p, containerPort: p.containerPort + 1 })),
    };
    const boot = await bootCheck(m, moved, image, pod, kafka);
    expect(boot.failures.join("\n")).toMatch(/readinessProbe .* answered 599/);
    expect(boot.failures.join("\n")).toMatch(/inference .* answered 599/);
  }, 240_000);

  it("fails loudly on what it cannot map: an unknown valueFrom, a cluster Service without a stand-in", () => {
    const withEnv = (e: Json) => ({ ...m.container, env: [...m.container.env, e] });
    expect(() =>
      containerProcess(
        m.pod,
        withEnv({ name: "X", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } }),
        image,
        pod,
      ),
    ).toThrow(/cannot map env X.valueFrom/);
    expect(() =>
      containerProcess(m.pod, withEnv({ name: "Y", value: "http://other.elsewhere.svc:80" }), image, pod),
    ).toThrow(/no loopback stand-in for the cluster Service other.elsewhere/);
    const probe = { ...m.container, readinessProbe: { httpGet: { path: "/", port: "metrics" } } };
    expect(() => containerProcess(m.pod, probe, image, pod)).toThrow(/readinessProbe.httpGet.port/);
  });
});
