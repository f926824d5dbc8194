import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  LOAD_BALANCER_CONTROLLER_IAM_POLICY,
  LOAD_BALANCER_CONTROLLER_IAM_POLICY_SOURCE,
} from "../../../../constructs/addons/aws-load-balancer-controller";
import { CHARTS } from "../../../../constructs/core/charts";
import { schemaStore } from "../../../../scripts/validation";
import { describeWithSchemas } from "../../../support/schemas";
import { resourcesOf } from "../../../support/synth";
import { type Json, synthController } from "./support";

const DATA_FILE = join(
  import.meta.dirname,
  "../../../../constructs/addons/aws-load-balancer-controller/iam-policy.json",
);

describe("AWS Load Balancer Controller IAM policy", () => {
  it("is exactly the data file's document on the controller's role, in one inline policy", () => {
    const { json } = synthController();
    const policies = Object.values(resourcesOf(json, "aws_iam_role_policy")) as Json[];
    expect(policies).toHaveLength(1);
    expect(policies[0].name).toBe("aws-load-balancer-controller");
    expect(policies[0].role).toMatch(/aws_iam_role\.[\w-]+\.id/);
    expect(JSON.parse(policies[0].policy)).toEqual(JSON.parse(readFileSync(DATA_FILE, "utf8")));
    expect(LOAD_BALANCER_CONTROLLER_IAM_POLICY).toEqual(JSON.parse(readFileSync(DATA_FILE, "utf8")));
    // No managed policy and no other grant on the role.
    expect(resourcesOf(json, "aws_iam_role_policy_attachment")).toEqual({});
  });

  it("records its source: the controller's repository, the release tag, the file", () => {
    expect(LOAD_BALANCER_CONTROLLER_IAM_POLICY_SOURCE).toEqual({
      repository: "https://github.com/kubernetes-sigs/aws-load-balancer-controller",
      tag: "v3.5.0",
      path: "docs/install/iam_policy.json",
    });
  });
});

describeWithSchemas("AWS Load Balancer Controller IAM policy against the upstream copy", () => {
  const source = LOAD_BALANCER_CONTROLLER_IAM_POLICY_SOURCE;
  const dir = () => schemaStore().dir;

  it("is byte for byte the published file (../shared/schemas/iam, SOURCES.md)", () => {
    const upstream = readFileSync(join(dir(), "iam/aws-load-balancer-controller", source.path));
    expect(readFileSync(DATA_FILE).equals(upstream)).toBe(true);
  });

  it("comes from the release the pinned chart installs (its appVersion)", () => {
    const chart = parseYaml(
      readFileSync(join(dir(), "charts", CHARTS.awsLoadBalancerController.schemaDir, "Chart.yaml"), "utf8"),
    ) as Json;
    expect(chart.version).toBe(CHARTS.awsLoadBalancerController.version);
    expect(chart.appVersion).toBe(source.tag);
  });
});
