import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, Aspects, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SnapshotStack } from "../../../constructs/core/snapshot-stack";
import { applyRulePack, PolicyViolationError, s3SseKms, s3Versioning } from "../../../constructs/policy";
import { thrownBy } from "../../support/errors";
import { bucket } from "../policy/harness";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function app(): { app: App; outdir: string; stack: SnapshotStack } {
  const outdir = mkdtempSync(join(tmpdir(), "snapshot-stack-"));
  dirs.push(outdir);
  const a = new App({ outdir, skipValidation: false });
  const stack = new SnapshotStack(a, "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  bucket(stack, "Data");
  return { app: a, outdir, stack };
}

const written = (outdir: string) =>
  JSON.parse(readFileSync(join(outdir, "stacks", "s", "cdk.tf.json"), "utf8")) as {
    resource: { aws_s3_bucket: Record<string, { bucket: string; tags?: Record<string, string> }> };
  };

/** Every resolution of a whole stack (cdktf's own `toTerraform`, which SnapshotStack calls). */
const spyResolutions = () => vi.spyOn(TerraformStack.prototype, "toTerraform");

describe("SnapshotStack", () => {
  it("is resolved once when the rule pack is its only aspect: the pack's JSON is the one written", () => {
    const { app: a, outdir, stack } = app();
    applyRulePack(a, { environment: "dev", rules: [s3SseKms, s3Versioning] });
    const resolutions = spyResolutions();
    a.synth();
    expect(resolutions).toHaveBeenCalledTimes(1);
    // What was written is what a fresh resolution gives.
    expect(written(outdir)).toEqual(JSON.parse(JSON.stringify(stack.toTerraform())));
    expect(resolutions).toHaveBeenCalledTimes(2);
  });

  it("is resolved again when written if another aspect may change it, and the change is written", () => {
    const { app: a, outdir, stack } = app();
    Aspects.of(stack).add({
      visit(node: IConstruct) {
        if (node instanceof S3Bucket) node.tags = { team: "a" };
      },
    });
    applyRulePack(a, { environment: "dev", rules: [s3SseKms, s3Versioning] });
    const resolutions = spyResolutions();
    a.synth();
    expect(resolutions).toHaveBeenCalledTimes(1); // at writing only: the pack resolved resource by resource
    expect(Object.values(written(outdir).resource.aws_s3_bucket)[0]?.tags).toEqual({ team: "a" });
  });

  it("keeps no JSON resolved ahead after the policy gate fails: a later change is written", () => {
    const { app: a, stack } = app();
    bucket(stack, "Plain", { sse: false });
    applyRulePack(a, { environment: "dev", rules: [s3SseKms] });
    expect(thrownBy(() => a.synth())).toBeInstanceOf(PolicyViolationError);
    bucket(stack, "Added");
    const resolutions = spyResolutions();
    const json = stack.toTerraform() as { resource: { aws_s3_bucket: Record<string, unknown> } };
    expect(resolutions).toHaveBeenCalledTimes(1);
    expect(Object.keys(json.resource.aws_s3_bucket)).toHaveLength(3);
  });

  it("returns JSON resolved ahead to the next toTerraform() only", () => {
    const { stack } = app();
    const ahead = stack.resolveAhead();
    expect(stack.toTerraform()).toBe(ahead);
    const again = stack.toTerraform();
    expect(again).not.toBe(ahead);
    expect(again).toEqual(ahead);
  });
});
