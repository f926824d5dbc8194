import { describe, expect, it } from "vitest";
import { mskClientAuth } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { mskCluster } from "../msk-fixture";

describe("MLOPS-MSK-003 MSK client authentication", () => {
  it("flags no client authentication, and IAM with unauthenticated access also on", () => {
    const findings = check(mskClientAuth, (s) => {
      mskCluster(s, "Open", { clientAuthentication: undefined });
      mskCluster(s, "Mixed", { clientAuthentication: { sasl: { iam: true }, unauthenticated: true } });
    });
    expect(paths(findings)).toEqual(["test/Mixed", "test/Open"]);
    expect(findings.find((f) => f.path === "test/Mixed")?.detail).toBe(
      "client_authentication.unauthenticated is true",
    );
  });

  it("accepts IAM and TLS client authentication", () => {
    const findings = check(mskClientAuth, (s) => {
      mskCluster(s, "Iam");
      mskCluster(s, "Mtls", {
        clientAuthentication: {
          tls: { certificateAuthorityArns: ["arn:aws:acm-pca:eu-west-1:1:certificate-authority/x"] },
        },
      });
    });
    expect(findings).toEqual([]);
  });
});
