import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { describe, expect, it } from "vitest";
import { ec2Imdsv2 } from "../../../../constructs/policy";
import { check, paths } from "../harness";

describe("MLOPS-EC2-001 IMDSv2 with hop limit <= 2", () => {
  it("flags a launch template with optional tokens, one without metadata options, and a hop limit of 3", () => {
    const findings = check(ec2Imdsv2, (s) => {
      new LaunchTemplate(s, "Optional", {
        metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 },
      });
      new LaunchTemplate(s, "Unset", {});
      new LaunchTemplate(s, "Hops", {
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 3 },
      });
    });
    expect(paths(findings)).toEqual(["test/Hops", "test/Optional", "test/Unset"]);
    expect(findings.find((f) => f.path === "test/Hops")?.detail).toContain("is 3, expected at most 2");
  });

  it("accepts required tokens with hop limits 1 and 2", () => {
    const findings = check(ec2Imdsv2, (s) => {
      new LaunchTemplate(s, "One", {
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
      });
      new LaunchTemplate(s, "Two", {
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 },
      });
    });
    expect(findings).toEqual([]);
  });
});
