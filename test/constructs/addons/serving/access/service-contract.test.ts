/**
 * The access wiring against the reference service's own configuration loader: the environment it hands the
 * serving add-on must start the service in each Kafka mode, with the mounted files where the variables point.
 * A variable renamed on either side, or a file the Secret volumes do not provide, fails here.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { KafkaConfigInput } from "../../../../../constructs/addons/kafka";
import type { ServingAccess } from "../../../../../constructs/addons/serving/access";
import { ConfigError, describeVariables, loadConfig } from "../../../../../service/src/config";
import { failWhenMissingInCi } from "../../../../support/ci";
import { synthAccess } from "./support";

const MODES: Record<string, KafkaConfigInput> = {
  "Strimzi SCRAM-SHA-512": { strimzi: { authentication: "scram-sha-512" } },
  "Strimzi mutual TLS": { strimzi: { authentication: "tls" } },
  "MSK IAM": { mode: "msk" },
};

const opensslMissing = spawnSync("openssl", ["version"]).status !== 0 && "openssl is missing";
failWhenMissingInCi("servingAccess env against the service's loadConfig", opensslMissing);

/** The files the Secrets would hold, written under a temp dir in place of the mount paths. */
function materialize(access: ServingAccess): Record<string, string> {
  const root = mkdtempSync(join(tmpdir(), "serving-access-"));
  const key = join(root, "key.pem");
  const cert = join(root, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"].concat([
      "-subj",
      "/CN=inference-service",
      "-keyout",
      key,
      "-out",
      cert,
    ]),
    { stdio: "pipe", timeout: 60_000 },
  );
  const content: Record<string, string> = {
    "ca.crt": readFileSync(cert, "utf8"),
    "user.crt": readFileSync(cert, "utf8"),
    "user.key": readFileSync(key, "utf8"),
    password: "generated-by-the-user-operator",
  };
  const moved = (path: string) => path.replace("/var/run/secrets/kafka", root);
  for (const m of access.volumeMounts) {
    const volume = access.volumes.find((v) => v.name === m.name);
    mkdirSync(moved(m.mountPath), { recursive: true });
    for (const item of volume?.secret.items ?? []) {
      writeFileSync(join(moved(m.mountPath), item.path), content[item.key]);
    }
  }
  return Object.fromEntries(
    access.env.map((e) => [e.name, e.value.startsWith("/var/run/secrets/kafka/") ? moved(e.value) : e.value]),
  );
}

describe.skipIf(!!opensslMissing)("servingAccess env against the service's loadConfig", () => {
  const names = new Set(describeVariables().map((v) => v.name));

  for (const [mode, kafka] of Object.entries(MODES)) {
    it(`${mode}: every variable is one the service reads, and the service's configuration accepts them`, () => {
      const { access } = synthAccess({ kafka, externalSecrets: true });
      expect(access.env.map((e) => e.name).filter((n) => !names.has(n))).toEqual([]);
      const env = materialize(access);
      // MSK's bootstrap is a Terraform reference until apply: a literal of the same shape stands in.
      // The serving pod sets AWS_REGION for its S3 client (the access wiring does not repeat it).
      if (kafka.mode === "msk") {
        env.KAFKA_BROKERS = "b-1.acme.kafka.eu-west-1.amazonaws.com:9098";
        env.AWS_REGION = "eu-west-1";
      }
      const config = loadConfig(env);
      expect(config.KAFKA_BROKERS.length).toBeGreaterThan(0);
      expect(config.KAFKA_CREATE_TOPICS).toBe(false);
      expect(config.KAFKA_CLIENT_ID).toBe("inference-service");
    });
  }

  it("fails when a mounted file is missing: the service names the variable", () => {
    const { access } = synthAccess({ kafka: { strimzi: { authentication: "tls" } } });
    const env = materialize(access);
    env.KAFKA_SSL_KEY_FILE = `${env.KAFKA_SSL_KEY_FILE}.missing`;
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/KAFKA_SSL_KEY_FILE=.*expected a readable file/);
  });

  it("fails when the wiring's mechanism is the Kafka add-on's name for MSK IAM (AWS_MSK_IAM), not the service's", () => {
    const { access } = synthAccess({ kafka: { mode: "msk" } });
    const env = {
      ...materialize(access),
      AWS_REGION: "eu-west-1",
      KAFKA_BROKERS: "b-1:9098",
      KAFKA_SASL_MECHANISM: "AWS_MSK_IAM",
    };
    expect(() => loadConfig(env)).toThrow(/KAFKA_SASL_MECHANISM/);
  });
});
