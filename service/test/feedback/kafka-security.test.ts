/**
 * The feedback loop and the real service against a real Kafka 4 (KRaft) broker secured as the kit's Strimzi
 * cluster is: TLS listeners only for clients — SASL_SSL with SCRAM-SHA-512 users and SSL with required client
 * certificates — the StandardAuthorizer with no access unless an ACL grants it, and ACLs like the kit's
 * KafkaUser (write predictions and drift, read outcomes with the principal's group prefix). Keys, certificates
 * and SCRAM users are made by the test; `admin` is the super user that sets up topics and ACLs.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from "kafkajs";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KAFKA_INSTALL_HINT, KafkaTestBroker, kafkaUnavailableReason } from "../../../scripts/kafka/broker";
import { failWhenMissingInCi } from "../../../test/support/ci";
import { FeedbackLoop, type KafkaSecurity } from "../../src/feedback";
import { mskIamTokenProvider } from "../../src/feedback/msk-iam";
import { exampleRows, inferBody } from "../http/real-service";
import { type ServiceProcess, spawnService } from "../ops/service-process";
import { captureLogger, metricValue, prediction, waitUntil } from "./helpers";
import { readTopic } from "./kafka-helpers";
import { makeTlsFixtures, opensslUnavailableReason, type TlsFixtures } from "./tls-fixtures";

const missing = kafkaUnavailableReason() ?? opensslUnavailableReason();
failWhenMissingInCi(
  "Kafka TLS/SCRAM/ACL tests",
  missing && `${missing}; install with: ${KAFKA_INSTALL_HINT}`,
);
if (missing)
  console.warn(`SKIPPING Kafka TLS/SCRAM/ACL tests: ${missing}; install with: ${KAFKA_INSTALL_HINT}`);

const USER = "inference-service";
const USER_PASSWORD = `pw-${randomBytes(12).toString("hex")}`;
const ADMIN_PASSWORD = `admin-${randomBytes(12).toString("hex")}`;
const MTLS_CN = "inference-mtls";
const tag = randomBytes(3).toString("hex");
const TOPICS = { predictions: `predictions-${tag}`, outcomes: `outcomes-${tag}`, drift: `drift-${tag}` };
/** Exists, but no ACL grants the service's principals anything on it. */
const FORBIDDEN = `forbidden-${tag}`;

describe.skipIf(missing !== undefined)("Kafka feedback loop over TLS, SCRAM and mTLS with ACLs", () => {
  let tls: TlsFixtures;
  let broker: KafkaTestBroker;
  let admin: Kafka;
  let passwordFile: string;
  const services: ServiceProcess[] = [];
  const loops: FeedbackLoop[] = [];

  beforeAll(async () => {
    tls = await makeTlsFixtures(MTLS_CN);
    passwordFile = join(tls.dir, "password");
    await writeFile(passwordFile, USER_PASSWORD); // as the KafkaUser Secret's `password` key is mounted
    broker = await KafkaTestBroker.create({
      heapMax: "512m",
      listeners: { SSL: "SSL", SASL_SSL: "SASL_SSL", ROGUE: "SSL", OAUTH: "SASL_SSL" },
      formatArgs: [
        "--add-scram",
        `SCRAM-SHA-512=[name=admin,password=${ADMIN_PASSWORD}]`,
        "--add-scram",
        `SCRAM-SHA-512=[name=${USER},password=${USER_PASSWORD}]`,
      ],
      properties: {
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": false,
        // ANONYMOUS: the broker itself on its PLAINTEXT inter-broker and controller listeners only, since
        // every client listener authenticates (SCRAM, or a required certificate).
        "super.users": "User:ANONYMOUS;User:admin",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": tls.brokerKeystore,
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": tls.caFile,
        "listener.name.ssl.ssl.client.auth": "required",
        "listener.name.sasl_ssl.sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config":
          "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "listener.name.rogue.ssl.keystore.type": "PEM",
        "listener.name.rogue.ssl.keystore.location": tls.rogueKeystore,
        "listener.name.rogue.ssl.client.auth": "required",
        // OAUTHBEARER with Kafka's unsecured-JWT validator stands in for MSK IAM (whose tokens only MSK checks):
        // it runs kafkajs's OAUTHBEARER path and the token provider against a real broker, which ends each
        // session when its token expires or after 12 s, so clients must re-authenticate in time. (kafkajs
        // re-authenticates 10 s before a session ends and Kafka refuses a second re-authentication within a
        // second, so sessions shorter than about 11 s would fail for reasons MSK's ~15 minutes never meet.)
        "listener.name.oauth.sasl.enabled.mechanisms": "OAUTHBEARER",
        "listener.name.oauth.oauthbearer.sasl.jaas.config":
          "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;",
        "listener.name.oauth.oauthbearer.connections.max.reauth.ms": 12_000,
      },
    });
    admin = new Kafka({
      clientId: "security-test-admin",
      brokers: [broker.listenerBootstrap("SASL_SSL")],
      ssl: { ca: await readFile(tls.caFile, "utf8") },
      sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD },
      logLevel: logLevel.NOTHING,
    });
    const a = admin.admin();
    await a.connect();
    try {
      await a.createTopics({
        waitForLeaders: true,
        topics: [...Object.values(TOPICS), FORBIDDEN].map((topic) => ({ topic, numPartitions: 1 })),
      });
      for (const principal of [`User:${USER}`, `User:CN=${MTLS_CN}`]) await grantLikeTheKit(a, principal);
    } finally {
      await a.disconnect();
    }
  }, 120_000);

  afterEach(async () => {
    await Promise.all(loops.splice(0).map((l) => l.stop().catch(() => undefined)));
    await Promise.all(
      services.splice(0).map(async (s) => {
        s.child.kill("SIGKILL");
        await s.exited;
      }),
    );
  });

  afterAll(async () => {
    await broker?.destroy();
  });

  /** Read on consumer groups whose names begin with `prefix`, as the kit grants a reading principal. */
  function groupAcl(prefix: string, principal: string) {
    return {
      resourceType: AclResourceTypes.GROUP,
      resourceName: prefix,
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal,
      host: "*",
      operation: AclOperationTypes.READ,
      permissionType: AclPermissionTypes.ALLOW,
    };
  }

  /** An outcome for a served request, produced by the super user as the labelling job would. */
  async function sendOutcome(requestId: string): Promise<void> {
    const producer = admin.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.outcomes,
      messages: [{ value: JSON.stringify({ requestId, label: 1 }) }],
    });
    await producer.disconnect();
  }

  /** What the kit's KafkaUser for the service grants: write predictions and drift, read outcomes, its group prefix. */
  async function grantLikeTheKit(a: Admin, principal: string): Promise<void> {
    const topicAcl = (topic: string, operation: AclOperationTypes) => ({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal,
      host: "*",
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    });
    await a.createAcls({
      acl: [
        topicAcl(TOPICS.predictions, AclOperationTypes.WRITE),
        topicAcl(TOPICS.predictions, AclOperationTypes.DESCRIBE),
        topicAcl(TOPICS.drift, AclOperationTypes.WRITE),
        topicAcl(TOPICS.drift, AclOperationTypes.DESCRIBE),
        topicAcl(TOPICS.outcomes, AclOperationTypes.READ),
        topicAcl(TOPICS.outcomes, AclOperationTypes.DESCRIBE),
        groupAcl(USER, principal),
      ],
    });
  }

  function scramEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_BROKERS: broker.listenerBootstrap("SASL_SSL"),
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: USER,
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
      KAFKA_SSL_CA_FILE: tls.caFile,
      KAFKA_CLIENT_ID: USER,
      KAFKA_PREDICTIONS_TOPIC: TOPICS.predictions,
      KAFKA_OUTCOMES_TOPIC: TOPICS.outcomes,
      KAFKA_DRIFT_TOPIC: TOPICS.drift,
      DRIFT_ENABLED: "false",
      ...extra,
    };
  }

  async function start(env: Record<string, string>): Promise<ServiceProcess> {
    const svc = await spawnService(env, 90_000);
    services.push(svc);
    return svc;
  }

  async function infer(svc: ServiceProcess, id: string): Promise<number> {
    const res = await fetch(`${svc.url}/v2/models/readmission/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(inferBody(exampleRows().slice(0, 2), { id })),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** One series of the service's /metrics exposition (0 when absent). */
  async function scrape(svc: ServiceProcess, series: string): Promise<number> {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  function logged(svc: ServiceProcess): { level: string; message: string; [k: string]: unknown }[] {
    return svc.lines
      .map((l) => JSON.parse(l))
      .map((o) => ({ ...o, level: o["log.level"], message: o.message }));
  }

  it("logs in with SCRAM-SHA-512 over TLS and publishes every served prediction, reading outcomes back", async () => {
    const svc = await start(scramEnv());
    const ids = Array.from({ length: 5 }, (_, i) => `scram-${i}`);
    for (const id of ids) expect(await infer(svc, id)).toBe(200);
    await waitUntil(
      "5 predictions published",
      async () => (await scrape(svc, `feedback_events_published_total{topic="${TOPICS.predictions}"}`)) === 5,
      60_000,
    );
    const messages = await readTopic(admin, TOPICS.predictions);
    expect(messages.map((m) => m.key)).toEqual(ids);
    expect(messages.map((m) => JSON.parse(m.value ?? "").requestId)).toEqual(ids);
    // The outcomes consumer joined its group under the granted prefix and reads the outcome topic.
    await sendOutcome("scram-3");
    await waitUntil(
      "the outcome joined",
      async () => (await scrape(svc, 'feedback_outcomes_total{result="joined"}')) === 1,
      60_000,
    );
    expect(logged(svc).filter((l) => l.level === "error")).toEqual([]);
  });

  it("fails to log in with a wrong password, says which variables to check, keeps serving, and recovers when the Secret is rotated", async () => {
    const wrongFile = join(tls.dir, "wrong-password");
    await writeFile(wrongFile, "not-the-password\n");
    const svc = await start(scramEnv({ KAFKA_SASL_PASSWORD_FILE: wrongFile }));
    await waitUntil("the refused login logged", async () =>
      logged(svc).some(
        (l) => l.level === "error" && /Kafka refused the feedback loop \(authentication\)/.test(l.message),
      ),
    );
    const refusal = logged(svc).find((l) => /\(authentication\)/.test(l.message));
    expect(refusal?.hint).toMatch(
      /SCRAM login of "inference-service".*KAFKA_SASL_USERNAME.*KAFKA_SASL_PASSWORD_FILE/,
    );
    expect(JSON.stringify(logged(svc))).not.toContain("not-the-password");
    // HTTP keeps working; the predictions wait in the buffer.
    expect((await fetch(`${svc.url}/v2/health/ready`)).status).toBe(200);
    for (const id of ["wrong-0", "wrong-1", "wrong-2"]) expect(await infer(svc, id)).toBe(200);
    expect(await scrape(svc, "feedback_buffer_depth")).toBe(3);
    expect(await scrape(svc, `feedback_events_published_total{topic="${TOPICS.predictions}"}`)).toBe(0);
    // The Secret is rotated to the right password: read again on the next connection, no restart.
    await writeFile(wrongFile, USER_PASSWORD);
    await waitUntil(
      "the buffered predictions delivered after the rotation",
      async () => (await scrape(svc, `feedback_events_published_total{topic="${TOPICS.predictions}"}`)) === 3,
      60_000,
    );
    const keys = (await readTopic(admin, TOPICS.predictions)).map((m) => m.key);
    expect(keys).toEqual(expect.arrayContaining(["wrong-0", "wrong-1", "wrong-2"]));
  });

  it("drops events for a topic the ACLs do not grant, counting and logging them, and keeps serving", async () => {
    const svc = await start(scramEnv({ KAFKA_PREDICTIONS_TOPIC: FORBIDDEN }));
    for (let i = 0; i < 4; i++) expect(await infer(svc, `denied-${i}`)).toBe(200);
    await waitUntil(
      "4 predictions counted as not authorized",
      async () => (await scrape(svc, 'feedback_events_dropped_total{reason="not_authorized"}')) === 4,
      60_000,
    );
    expect(await scrape(svc, "feedback_buffer_depth")).toBe(0);
    expect(await scrape(svc, `feedback_events_published_total{topic="${FORBIDDEN}"}`)).toBe(0);
    const refusal = logged(svc).find((l) => /Kafka refused writes to the topic/.test(l.message));
    expect(refusal).toMatchObject({ level: "error", topic: FORBIDDEN });
    expect(refusal?.hint).toMatch(/TOPIC_AUTHORIZATION_FAILED.*ACLs/);
    expect(await readTopic(admin, FORBIDDEN)).toEqual([]);
    // Later requests are served and dropped the same way while the ACL is missing.
    expect(await infer(svc, "denied-4")).toBe(200);
    await waitUntil(
      "the fifth counted too",
      async () => (await scrape(svc, 'feedback_events_dropped_total{reason="not_authorized"}')) === 5,
    );
    expect((await fetch(`${svc.url}/v2/health/ready`)).status).toBe(200);
  });

  it("keeps delivering the granted topics while one topic is refused", async () => {
    const logger = captureLogger();
    const registry = new Registry();
    const loop = new FeedbackLoop({
      brokers: [broker.listenerBootstrap("SASL_SSL")],
      registry,
      logger,
      clientId: USER,
      security: {
        protocol: "SASL_SSL",
        tls: { caFile: tls.caFile },
        sasl: { mechanism: "SCRAM-SHA-512", username: USER, passwordFile },
      },
      topics: { ...TOPICS, predictions: FORBIDDEN },
      lingerMs: 5,
      retryMinMs: 100,
      retryMaxMs: 1_000,
    });
    loops.push(loop);
    await loop.start();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) loop.record(prediction(round * 10 + i));
      loop.publishDrift({ model: "churn", version: String(round), status: "drifting" });
      await new Promise((r) => setTimeout(r, 600));
    }
    await waitUntil(
      "3 drift events delivered and 9 predictions dropped",
      async () =>
        (await metricValue(registry, "feedback_events_published_total", { topic: TOPICS.drift })) === 3 &&
        (await metricValue(registry, "feedback_events_dropped_total", { reason: "not_authorized" })) === 9,
      30_000,
    );
    expect(loop.buffered).toBe(0);
    const drift = await readTopic(admin, TOPICS.drift);
    expect(drift.filter((m) => m.key === "churn").map((m) => JSON.parse(m.value ?? "").version)).toEqual(
      expect.arrayContaining(["0", "1", "2"]),
    );
    // One error line for the refused topic, not one per batch.
    expect(logger.entries.filter((e) => /Kafka refused writes/.test(e.msg ?? ""))).toHaveLength(1);
  });

  it("names the consumer group when the ACLs do not grant it, and keeps publishing", async () => {
    const logger = captureLogger();
    const registry = new Registry();
    // The kit grants the group prefix `inference-service`; this client id makes the group other-client-outcomes.
    const loop = new FeedbackLoop({
      brokers: [broker.listenerBootstrap("SASL_SSL")],
      registry,
      logger,
      clientId: "other-client",
      security: {
        protocol: "SASL_SSL",
        tls: { caFile: tls.caFile },
        sasl: { mechanism: "SCRAM-SHA-512", username: USER, passwordFile },
      },
      topics: TOPICS,
      lingerMs: 5,
      joinGroupTimeoutMs: 3_000,
      flushTimeoutMs: 2_000,
      retryMaxMs: 1_000,
      outcomesFromBeginning: true,
    });
    loops.push(loop);
    await loop.start();
    loop.record(prediction(600));
    await waitUntil(
      "the prediction published",
      async () =>
        (await metricValue(registry, "feedback_events_published_total", { topic: TOPICS.predictions })) === 1,
    );
    await waitUntil("the group refusal logged", () =>
      logger.entries.some((e) => e.level === "error" && /outcomes consumer refused/.test(e.msg ?? "")),
    );
    const refusal = logger.entries.find((e) => /outcomes consumer refused/.test(e.msg ?? ""));
    expect(refusal?.obj).toMatchObject({
      kind: "authorization",
      groupId: "other-client-outcomes",
      topic: TOPICS.outcomes,
    });
    expect(refusal?.obj.hint).toMatch(/consumer group.*ACLs do not grant it.*<KAFKA_CLIENT_ID>-outcomes/);
    // Granting the group later is enough: the consumer starts again by itself and joins outcomes.
    const a = admin.admin();
    await a.connect();
    await a.createAcls({ acl: [groupAcl("other-client", `User:${USER}`)] });
    await a.disconnect();
    await sendOutcome("req-600");
    await waitUntil(
      "the outcome joined once the group was granted",
      async () => (await metricValue(registry, "feedback_outcomes_total", { result: "joined" })) === 1,
      60_000,
    );
  });

  function mtlsLoop(security: KafkaSecurity, bootstrap: string) {
    const logger = captureLogger();
    const registry = new Registry();
    const loop = new FeedbackLoop({
      brokers: [bootstrap],
      registry,
      logger,
      clientId: USER,
      security,
      topics: TOPICS,
      lingerMs: 5,
      retryMinMs: 100,
      retryMaxMs: 1_000,
      connectionTimeoutMs: 3_000,
      // The refusal cases end with events still buffered: do not wait the default 5 s for them at stop().
      flushTimeoutMs: 500,
    });
    loops.push(loop);
    return { loop, registry, logger };
  }

  it("publishes as the principal of its client certificate (mTLS)", async () => {
    const { loop, registry } = mtlsLoop(
      {
        protocol: "SSL",
        tls: { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile },
      },
      broker.listenerBootstrap("SSL"),
    );
    await loop.start();
    loop.record(prediction(700));
    loop.record(prediction(701));
    await waitUntil(
      "2 predictions published over mTLS",
      async () =>
        (await metricValue(registry, "feedback_events_published_total", { topic: TOPICS.predictions })) === 2,
      30_000,
    );
    const keys = (await readTopic(admin, TOPICS.predictions)).map((m) => m.key);
    expect(keys).toEqual(expect.arrayContaining(["req-700", "req-701"]));
  });

  it("fails when the listener requires a client certificate and none is configured", async () => {
    const { loop, logger } = mtlsLoop(
      { protocol: "SSL", tls: { caFile: tls.caFile } },
      broker.listenerBootstrap("SSL"),
    );
    await expect(loop.start()).rejects.toThrow(/bad certificate|certificate required/i);
    const refusal = logger.entries.find((e) => e.level === "error" && /\(tls\)/.test(e.msg ?? ""));
    expect(refusal?.obj.hint).toMatch(/client certificate.*KAFKA_SSL_CERT_FILE/);
    loop.record(prediction(800));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(loop.buffered).toBe(1);
  });

  it("fails when the broker's certificate is signed by a CA other than KAFKA_SSL_CA_FILE's, naming that file", async () => {
    const { loop, registry, logger } = mtlsLoop(
      {
        protocol: "SSL",
        tls: { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile },
      },
      broker.listenerBootstrap("ROGUE"),
    );
    await expect(loop.start()).rejects.toThrow(/certificate|verify|self.signed/i);
    const refusal = logger.entries.find((e) => e.level === "error" && /\(tls\)/.test(e.msg ?? ""));
    expect(refusal?.obj.hint).toMatch(/broker's TLS certificate.*KAFKA_SSL_CA_FILE/);
    loop.record(prediction(900));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(
      await metricValue(registry, "feedback_events_published_total", { topic: TOPICS.predictions }),
    ).toBe(0);
    expect(loop.buffered).toBe(1);
  });

  it("authenticates with OAUTHBEARER tokens from the MSK token provider and renews them before they expire", async () => {
    // Unsecured JWTs (alg none) for the principal, valid 24 s: the provider hands each out until 12 s are left
    // (as MSK's 15-minute tokens until 60 s are left), then signs a new one. The margin must exceed kafkajs's
    // 10 s re-authentication threshold, or a session would need renewing as soon as it began.
    const issued = new Map<string, number>(); // token → expiry

    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const generate = async () => {
      const now = Date.now();
      const expiryTime = now + 24_000;
      const claims = { sub: USER, iat: Math.floor(now / 1000), exp: Math.floor(expiryTime / 1000) };
      const token = `${b64({ alg: "none" })}.${b64(claims)}.`;
      issued.set(token, expiryTime);
      return { token, expiryTime };
    };
    /** Each authentication: when kafkajs asked, and the token it got. */
    const handedOut: { at: number; token: string }[] = [];
    const provider = mskIamTokenProvider({ region: "eu-west-1", generate, refreshBeforeMs: 12_000 });
    const { loop, registry, logger } = mtlsLoop(
      {
        protocol: "SASL_SSL",
        tls: { caFile: tls.caFile },
        sasl: {
          mechanism: "OAUTHBEARER",
          region: "eu-west-1",
          tokenProvider: async () => {
            const at = Date.now();
            const response = await provider();
            handedOut.push({ at, token: response.value });
            return response;
          },
        },
      },
      broker.listenerBootstrap("OAUTH"),
    );
    await loop.start();
    const sent = 36;
    for (let i = 0; i < sent; i++) {
      loop.record(prediction(1_000 + i));
      await new Promise((r) => setTimeout(r, 500));
    }
    await waitUntil(
      `${sent} predictions published over OAUTHBEARER`,
      async () =>
        (await metricValue(registry, "feedback_events_published_total", { topic: TOPICS.predictions })) ===
        sent,
      30_000,
    );
    // 18 s of 12 s sessions that kafkajs renews 10 s early: re-authentications every ~2 s, each with a token
    // that had at least half its lifetime left, and fewer signings than authentications (tokens are reused).
    expect(handedOut.length).toBeGreaterThanOrEqual(4);
    expect(issued.size).toBeGreaterThanOrEqual(2);
    expect(issued.size).toBeLessThan(handedOut.length);
    for (const { at, token } of handedOut)
      expect((issued.get(token) ?? 0) - at).toBeGreaterThanOrEqual(12_000);
    // Every re-authentication was accepted (Kafka's refusals would show as SASL errors).
    const saslTrouble = logger.entries.filter(
      (e) => e.level !== "debug" && e.level !== "info" && /SASL|authenticat/i.test(JSON.stringify(e)),
    );
    expect(saslTrouble).toEqual([]);
    expect(logger.entries.filter((e) => e.level === "error")).toEqual([]);
  });
});
