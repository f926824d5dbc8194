import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../config";
import { AMI_TYPES } from "../../constructs/cluster/ami-types";
import { DEFAULT_DISK_SIZE_GIB, resolvePoolSettings } from "../../constructs/cluster/node-pool-options";
import { nodePoolProblems } from "../../constructs/cluster/node-pool-validation";
import { configProblems } from "../support/errors";
import { synthPlatform } from "../support/platform";

const base = { name: "acme", environment: "dev", region: "eu-west-1", preset: "minimal" };

const problemsOf = (doc: unknown) => configProblems(() => parsePlatformConfig(doc, "test.yaml"));

describe("node pools: one set of rules for the configuration and the construct", () => {
  it("offers every AMI type the construct supports, Arm NVIDIA included", () => {
    expect(AMI_TYPES).toHaveLength(8);
    // An Arm NVIDIA AMI is a known value: what fails is the rule that the instances must match its architecture.
    const pool = {
      gpu: true,
      instanceTypes: ["g6.xlarge"],
      amiType: "BOTTLEROCKET_ARM_64_NVIDIA",
      minSize: 0,
      maxSize: 1,
    };
    expect(problemsOf({ ...base, nodePools: { gpu: pool } })).toEqual([
      expect.stringMatching(
        /^nodePools\.gpu\.instanceTypes\[0\]: got "g6\.xlarge"; expected an arm64 instance type to match amiType BOTTLEROCKET_ARM_64_NVIDIA/,
      ),
    ]);
  });

  it("documents the disk default in the schema, from the construct's one constant", () => {
    const c = parsePlatformConfig(base);
    expect(c.nodePools.system.diskSizeGiB).toBeUndefined();
    expect(resolvePoolSettings("system", { instanceTypes: ["m7i.large"] }).diskSizeGiB).toBe(
      DEFAULT_DISK_SIZE_GIB.standard,
    );
    expect(resolvePoolSettings("gpu", { gpu: true }).diskSizeGiB).toBe(DEFAULT_DISK_SIZE_GIB.gpu);
    expect(DEFAULT_DISK_SIZE_GIB).toEqual({ standard: 100, gpu: 200 });
  });

  it("fails when a label key is not a Kubernetes qualified name, at its config path", () => {
    expect(problemsOf({ ...base, nodePools: { system: { labels: { "bad key": "x" } } } })).toContainEqual(
      expect.stringMatching(/^nodePools\.system\.labels: got "bad key"; expected a Kubernetes label key/),
    );
  });

  it("fails when a label value is too long, at its config path", () => {
    expect(
      problemsOf({ ...base, nodePools: { system: { labels: { team: "a".repeat(64) } } } }),
    ).toContainEqual(
      expect.stringMatching(/^nodePools\.system\.labels\.team: got "a{64}"; expected a label value/),
    );
  });

  it("fails when a taint key is not a Kubernetes qualified name, at its config path", () => {
    const taints = [{ key: "a/b/c", effect: "NO_SCHEDULE" }];
    expect(problemsOf({ ...base, nodePools: { system: { taints } } })).toContainEqual(
      expect.stringMatching(
        /^nodePools\.system\.taints\[0\]\.key: got "a\/b\/c"; expected a Kubernetes taint key/,
      ),
    );
  });

  it("fails when an instance type is malformed, at its index", () => {
    expect(
      problemsOf({ ...base, nodePools: { system: { instanceTypes: ["m7i.large", "large"] } } }),
    ).toContainEqual(
      expect.stringMatching(
        /^nodePools\.system\.instanceTypes\[1\]: got "large"; expected an EC2 instance type/,
      ),
    );
  });

  it("fails when the instance architecture does not match an explicit AMI type", () => {
    const pool = { instanceTypes: ["m7g.large"], amiType: "AL2023_x86_64_STANDARD" };
    expect(problemsOf({ ...base, nodePools: { system: pool } })).toContainEqual(
      expect.stringMatching(
        /^nodePools\.system\.instanceTypes\[0\]: got "m7g\.large"; expected an x86_64 instance type to match amiType/,
      ),
    );
  });

  it("fails when an admin principal is an STS session (EKS access entries need the role)", () => {
    const arn = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
    expect(problemsOf({ ...base, cluster: { adminPrincipalArns: [arn] } })).toContainEqual(
      expect.stringMatching(/^cluster\.adminPrincipalArns\[0\]: got .*not an STS session/),
    );
  });

  it("reports every broken rule of a pool, where the construct throws the first", () => {
    const problems = nodePoolProblems(
      resolvePoolSettings("p", { instanceTypes: ["large"], minSize: 5, maxSize: 3, diskSizeGiB: 10 }),
    );
    expect(problems.map((p) => p.path.join("."))).toEqual(["instanceTypes.0", "minSize", "diskSizeGiB"]);
  });
});

describe("node pool disk default", () => {
  it("gives pools from the configuration 100 GiB, and GPU pools 200 GiB, when they set none", () => {
    const json = synthPlatform({
      ...base,
      nodePools: { gpu: { gpu: true, instanceTypes: ["g6.xlarge"], minSize: 0, maxSize: 1 } },
    }).foundation as { resource: unknown };
    const templates = Object.values(
      (
        json.resource as Record<
          string,
          Record<string, { block_device_mappings: { ebs: { volume_size?: number } }[] }>
        >
      ).aws_launch_template,
    );
    const sizes = templates.map((t) => t.block_device_mappings[0].ebs.volume_size).sort();
    expect(sizes).toEqual([100, 200]);
  });
});
