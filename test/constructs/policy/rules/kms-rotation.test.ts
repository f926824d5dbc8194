import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { describe, expect, it } from "vitest";
import { kmsRotation } from "../../../../constructs/policy";
import { check, paths } from "../harness";

describe("MLOPS-KMS-001 KMS rotation", () => {
  it("flags symmetric keys without rotation, explicit or default", () => {
    const findings = check(kmsRotation, (s) => {
      new KmsKey(s, "Off", { enableKeyRotation: false });
      new KmsKey(s, "Unset", {});
    });
    expect(paths(findings)).toEqual(["test/Off", "test/Unset"]);
  });

  it("accepts rotation on, and does not ask asymmetric keys to rotate", () => {
    const findings = check(kmsRotation, (s) => {
      new KmsKey(s, "On", { enableKeyRotation: true });
      new KmsKey(s, "Signing", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" });
    });
    expect(findings).toEqual([]);
  });
});
