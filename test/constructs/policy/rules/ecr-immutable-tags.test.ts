import { describe, expect, it } from "vitest";
import { ecrImmutableTags } from "../../../../constructs/policy";
import { ContainerRepository } from "../../../../constructs/registry/container-repository";
import { ecrRepository } from "../ecr-fixture";
import { check, paths } from "../harness";

describe("MLOPS-ECR-001 immutable ECR tags", () => {
  it("flags mutable tags, the default, and tags with exclusions", () => {
    const findings = check(ecrImmutableTags, (s) => {
      ecrRepository(s, "Mutable", { imageTagMutability: "MUTABLE" });
      ecrRepository(s, "Unset", { imageTagMutability: undefined });
      ecrRepository(s, "Excluded", { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" });
    });
    expect(paths(findings)).toEqual(["test/Excluded", "test/Mutable", "test/Unset"]);
    expect(findings.find((f) => f.path === "test/Unset")?.detail).toContain("null");
  });

  it("accepts immutable tags, as the kit's ContainerRepository sets them", () => {
    const findings = check(ecrImmutableTags, (s) => {
      ecrRepository(s, "Good");
      new ContainerRepository(s, "Kit", {
        repositoryName: "acme/service",
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
      });
    });
    expect(findings).toEqual([]);
  });
});
