/** The feedback loop's security settings from the service's KAFKA_* variables, one case per kit mode. */
import { describe, expect, it } from "vitest";
import { kafkaSecurity } from "../../src/app/sinks";
import { loadConfig } from "../../src/config";

describe("kafkaSecurity from the environment", () => {
  it("maps each mode's variables to the loop's settings", () => {
    expect(
      kafkaSecurity(
        loadConfig({
          KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
          KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
          KAFKA_SASL_USERNAME: "inference-service",
          KAFKA_SASL_PASSWORD_FILE: "/run/kafka/user/password",
          KAFKA_SSL_CA_FILE: "/run/kafka/ca/ca.crt",
        }),
      ),
    ).toEqual({
      protocol: "SASL_SSL",
      tls: { caFile: "/run/kafka/ca/ca.crt" },
      sasl: {
        mechanism: "SCRAM-SHA-512",
        username: "inference-service",
        passwordFile: "/run/kafka/user/password",
      },
    });
    expect(
      kafkaSecurity(
        loadConfig({
          KAFKA_SECURITY_PROTOCOL: "SSL",
          KAFKA_SSL_CA_FILE: "/ca.crt",
          KAFKA_SSL_CERT_FILE: "/user.crt",
          KAFKA_SSL_KEY_FILE: "/user.key",
        }),
      ),
    ).toEqual({ protocol: "SSL", tls: { caFile: "/ca.crt", certFile: "/user.crt", keyFile: "/user.key" } });
    expect(
      kafkaSecurity(
        loadConfig({
          KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
          KAFKA_SASL_MECHANISM: "OAUTHBEARER",
          AWS_REGION: "eu-west-1",
        }),
      ),
    ).toEqual({ protocol: "SASL_SSL", tls: {}, sasl: { mechanism: "OAUTHBEARER", region: "eu-west-1" } });
    expect(kafkaSecurity(loadConfig({}))).toEqual({ protocol: "PLAINTEXT" });
  });
});
