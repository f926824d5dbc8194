/** kafkajs security options from the loop's settings: files read per connection, the mode's SASL mechanism. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyKafkaError, kafkaClientSecurity } from "../../src/feedback/security";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "kafka-security-"));
}

describe("kafkaClientSecurity", () => {
  it("adds nothing for PLAINTEXT", () => {
    expect(kafkaClientSecurity({ protocol: "PLAINTEXT" })).toEqual({});
    expect(kafkaClientSecurity(undefined)).toEqual({});
  });

  it("verifies brokers against Node's CAs when no CA file is given (MSK)", () => {
    const { ssl, sasl } = kafkaClientSecurity({ protocol: "SSL" });
    expect(ssl).toEqual({});
    expect(sasl).toBeUndefined();
  });

  it("reads the SCRAM password file again for every connection, without its trailing newline", async () => {
    const dir = await tempDir();
    const file = join(dir, "password");
    await writeFile(file, "first-password\n");
    const { sasl } = kafkaClientSecurity({
      protocol: "SASL_SSL",
      sasl: { mechanism: "SCRAM-SHA-512", username: "inference-service", passwordFile: file },
    });
    expect(sasl).toMatchObject({ mechanism: "scram-sha-512", username: "inference-service" });
    expect((sasl as { password: string }).password).toBe("first-password");
    await writeFile(file, "rotated-password");
    expect((sasl as { password: string }).password).toBe("rotated-password");
    await writeFile(file, "");
    expect(() => (sasl as { password: string }).password).toThrow(/password file .* is empty/);
  });

  it("reads CA, certificate and key files each time kafkajs copies the TLS options (once per connection)", async () => {
    const dir = await tempDir();
    for (const f of ["ca", "cert", "key"]) await writeFile(join(dir, f), `${f}-1`);
    const { ssl } = kafkaClientSecurity({
      protocol: "SSL",
      tls: { caFile: join(dir, "ca"), certFile: join(dir, "cert"), keyFile: join(dir, "key") },
    });
    // kafkajs's socket factory: Object.assign({ host, port }, ssl).
    expect(Object.assign({}, ssl)).toEqual({ ca: "ca-1", cert: "cert-1", key: "key-1" });
    for (const f of ["ca", "cert", "key"]) await writeFile(join(dir, f), `${f}-2`);
    expect(Object.assign({}, ssl)).toEqual({ ca: "ca-2", cert: "cert-2", key: "key-2" });
  });

  it("gives OAUTHBEARER the token provider", async () => {
    const { sasl } = kafkaClientSecurity({
      protocol: "SASL_SSL",
      sasl: { mechanism: "OAUTHBEARER", region: "eu-west-1", tokenProvider: async () => ({ value: "t" }) },
    });
    expect(sasl?.mechanism).toBe("oauthbearer");
    expect(await (sasl as { oauthBearerProvider: () => Promise<unknown> }).oauthBearerProvider()).toEqual({
      value: "t",
    });
  });
});

describe("classifyKafkaError", () => {
  const scram = {
    protocol: "SASL_SSL",
    sasl: { mechanism: "SCRAM-SHA-512", username: "svc", passwordFile: "/p" },
  } as const;

  it("names the SCRAM variables on a refused login, through kafkajs's wrappers", () => {
    const inner = Object.assign(new Error("SASL SCRAM SHA512 authentication failed"), {
      name: "KafkaJSSASLAuthenticationError",
    });
    const p = classifyKafkaError(Object.assign(new Error("retries"), { originalError: inner }), scram);
    expect(p.kind).toBe("authentication");
    expect(p.hint).toContain('"svc"');
    expect(p.hint).toContain("KAFKA_SASL_PASSWORD_FILE");
  });

  it("names the CA file when the broker's certificate is not trusted", () => {
    const p = classifyKafkaError(
      Object.assign(new Error("unable to verify"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }),
      scram,
    );
    expect(p).toMatchObject({ kind: "tls" });
    expect(p.hint).toContain("KAFKA_SSL_CA_FILE");
  });

  it("names the client certificate variables when the broker refuses the client's certificate", () => {
    const e = Object.assign(new Error("Connection error: ssl3_read_bytes:sslv3 alert bad certificate"), {
      code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
    });
    const p = classifyKafkaError({ originalError: e }, { protocol: "SSL" });
    expect(p.kind).toBe("tls");
    expect(p.hint).toMatch(/refused the client certificate.*KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/);
  });

  it("recognises an ACL refusal and leaves other errors unexplained", () => {
    const acl = Object.assign(new Error("Not authorized"), { type: "TOPIC_AUTHORIZATION_FAILED" });
    expect(classifyKafkaError({ originalError: acl }, scram).kind).toBe("authorization");
    expect(classifyKafkaError(new Error("connect ECONNREFUSED"), { protocol: "PLAINTEXT" })).toEqual({
      kind: "other",
    });
  });
});
