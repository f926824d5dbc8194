/** Kafka security variables: each mode's required variables, the rules between them, and the files they name. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("Kafka security configuration", () => {
  it("defaults to PLAINTEXT, no SASL and no topic creation (the platform owns the topics)", () => {
    const c = loadConfig({});
    expect(c.KAFKA_SECURITY_PROTOCOL).toBe("PLAINTEXT");
    expect(c.KAFKA_SASL_MECHANISM).toBe("");
    expect(c.KAFKA_CREATE_TOPICS).toBe(false);
  });

  it("accepts each of the kit's modes: SCRAM, mTLS, MSK IAM", () => {
    // Files are checked only with brokers set; here the rules between variables alone.
    expect(
      problemsOf({
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: "inference",
        KAFKA_SASL_PASSWORD_FILE: "/var/run/kafka/user/password",
        KAFKA_SSL_CA_FILE: "/var/run/kafka/ca/ca.crt",
      }),
    ).toEqual([]);
    expect(
      problemsOf({
        KAFKA_SECURITY_PROTOCOL: "SSL",
        KAFKA_SSL_CA_FILE: "/ca.crt",
        KAFKA_SSL_CERT_FILE: "/user.crt",
        KAFKA_SSL_KEY_FILE: "/user.key",
      }),
    ).toEqual([]);
    const msk = loadConfig({
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "OAUTHBEARER",
      AWS_REGION: "eu-west-1",
    });
    expect(msk.KAFKA_SASL_MECHANISM).toBe("OAUTHBEARER");
    expect(msk.AWS_REGION).toBe("eu-west-1");
  });

  it("fails when the protocol or mechanism is unknown, naming variable, value and the choices", () => {
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT", KAFKA_SASL_MECHANISM: "PLAIN" })).toEqual([
      expect.stringMatching(
        /^KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT": expected one of PLAINTEXT .*SSL .*SASL_SSL/,
      ),
      expect.stringMatching(/^KAFKA_SASL_MECHANISM="PLAIN": expected SCRAM-SHA-512 .*OAUTHBEARER/),
    ]);
  });

  it("fails when SASL_SSL names no mechanism", () => {
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: "SASL_SSL" })).toEqual([
      'KAFKA_SASL_MECHANISM="": expected SCRAM-SHA-512 or OAUTHBEARER with KAFKA_SECURITY_PROTOCOL=SASL_SSL',
    ]);
  });

  it("fails when a SASL mechanism is set without TLS", () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: "OAUTHBEARER", AWS_REGION: "eu-west-1" })[0]).toBe(
      'KAFKA_SASL_MECHANISM="OAUTHBEARER": expected empty unless KAFKA_SECURITY_PROTOCOL=SASL_SSL (it is PLAINTEXT)',
    );
  });

  it("fails when SCRAM lacks the user name or the password file", () => {
    expect(
      problemsOf({ KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_MECHANISM: "SCRAM-SHA-512" }),
    ).toEqual([
      'KAFKA_SASL_USERNAME="": expected a value with KAFKA_SASL_MECHANISM=SCRAM-SHA-512',
      'KAFKA_SASL_PASSWORD_FILE="": expected a value with KAFKA_SASL_MECHANISM=SCRAM-SHA-512',
    ]);
  });

  it("fails when SCRAM credentials are given to another mechanism", () => {
    expect(
      problemsOf({
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_MECHANISM: "OAUTHBEARER",
        AWS_REGION: "us-east-1",
        KAFKA_SASL_USERNAME: "inference",
      }),
    ).toEqual(['KAFKA_SASL_USERNAME="inference": expected empty unless KAFKA_SASL_MECHANISM=SCRAM-SHA-512']);
  });

  it("fails when MSK IAM has no region, or the region is malformed", () => {
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_MECHANISM: "OAUTHBEARER" })).toEqual([
      'AWS_REGION="": expected the MSK cluster\'s region with KAFKA_SASL_MECHANISM=OAUTHBEARER',
    ]);
    expect(problemsOf({ AWS_REGION: "Europe" })).toEqual([
      expect.stringMatching(/^AWS_REGION="Europe": expected an AWS region such as eu-west-1/),
    ]);
  });

  it("fails when TLS files are set with PLAINTEXT, or a client certificate comes without its key", () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: "/ca.crt" })).toEqual([
      'KAFKA_SSL_CA_FILE="/ca.crt": expected empty with KAFKA_SECURITY_PROTOCOL=PLAINTEXT (TLS settings need SSL or SASL_SSL)',
    ]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CERT_FILE: "/user.crt" })).toEqual([
      'KAFKA_SSL_KEY_FILE="": expected a file path, since a client certificate and its key go together',
    ]);
  });

  it("fails when, with brokers set, a named file is missing, empty or not PEM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kafka-config-"));
    await writeFile(join(dir, "empty"), "\n");
    await writeFile(join(dir, "not-pem"), "hello");
    const problems = problemsOf({
      KAFKA_BROKERS: "kafka:9093",
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "inference",
      KAFKA_SASL_PASSWORD_FILE: join(dir, "empty"),
      KAFKA_SSL_CA_FILE: join(dir, "missing.crt"),
      KAFKA_SSL_CERT_FILE: join(dir, "not-pem"),
      KAFKA_SSL_KEY_FILE: join(dir, "not-pem"),
    });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(
      `KAFKA_SASL_PASSWORD_FILE="${join(dir, "empty")}": expected a readable file holding the SCRAM password (the file is empty)`,
    );
    expect(problems[1]).toMatch(
      /^KAFKA_SSL_CA_FILE=".*missing\.crt": expected a readable file holding PEM CA certificates \(ENOENT/,
    );
    expect(problems[2]).toMatch(
      /^KAFKA_SSL_CERT_FILE=".*not-pem": expected a readable file holding a PEM certificate \(/,
    );
    expect(problems[3]).toMatch(
      /^KAFKA_SSL_KEY_FILE=".*not-pem": expected a readable file holding a PEM private key \(/,
    );
  });

  it("does not read the files while the feedback loop is off (no brokers)", () => {
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CA_FILE: "/nonexistent/ca.crt" })).toEqual(
      [],
    );
  });
});
