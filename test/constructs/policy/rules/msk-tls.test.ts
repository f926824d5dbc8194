import { describe, expect, it } from "vitest";
import { mskTls } from "../../../../constructs/policy";
import { check } from "../harness";
import { mskCluster } from "../msk-fixture";

describe("MLOPS-MSK-001 MSK TLS in transit", () => {
  it("flags plaintext client traffic and plaintext in-cluster traffic", () => {
    const findings = check(mskTls, (s) => {
      mskCluster(s, "Plain", {
        encryptionInfo: {
          encryptionAtRestKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
          encryptionInTransit: { clientBroker: "TLS_PLAINTEXT", inCluster: false },
        },
      });
    });
    expect(findings.map((f) => f.detail)).toEqual([
      'client_broker is "TLS_PLAINTEXT", expected "TLS"',
      "in_cluster is false",
    ]);
  });

  it("accepts TLS, explicit or by default", () => {
    const findings = check(mskTls, (s) => {
      mskCluster(s, "Tls");
      mskCluster(s, "Defaults", {
        encryptionInfo: { encryptionAtRestKmsKeyArn: "arn:aws:kms:eu-west-1:1:key/a" },
      });
    });
    expect(findings).toEqual([]);
  });
});
