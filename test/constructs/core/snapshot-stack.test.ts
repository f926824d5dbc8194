import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, Aspects, TerraformResource, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SnapshotStack } from "../../../constructs/core/snapshot-stack";
import { applyRulePack, PolicyViolationError, s3SseKms, s3Versioning } from "../../../constructs/policy";
import { thrownBy } from "../../support/errors";
import { synthPlatform } from "../../support/platform";
import { teamsExample } from "../../support/teams";
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

type StackJson = {
  resource: { aws_s3_bucket: Record<string, { tags?: Record<string, string> }> };
  output?: Record<string, unknown>;
};

/** The stack resolved anew by cdktf itself, as JSON. */
const fresh = (stack: TerraformStack) =>
  JSON.parse(JSON.stringify(TerraformStack.prototype.toTerraform.call(stack)));

/** Every resolution of a whole stack (cdktf's own `toTerraform`, which SnapshotStack calls). */
const spyResolutions = () => vi.spyOn(TerraformStack.prototype, "toTerraform");

describe("SnapshotStack", () => {
  it("is resolved once when the rule pack is its only aspect: the pack's JSON is the one written", () => {
    const { app: a, outdir, stack } = app();
    applyRulePack(a, { environment: "dev", rules: [s3SseKms, s3Versioning] });
    const resolutions = spyResolutions();
    a.synth();
    // Assembled from the preparing pass: cdktf's whole-stack resolution never runs.
    expect(resolutions).toHaveBeenCalledTimes(0);
    // What was written is what a fresh resolution gives.
    expect(written(outdir)).toEqual(fresh(stack));
    expect(resolutions).toHaveBeenCalledTimes(1);
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

  it("resolves each resource once in a synthesis: the preparing pass's fragments are the ones written", () => {
    const { app: a, outdir, stack } = app();
    bucket(stack, "Logs");
    applyRulePack(a, { environment: "dev", rules: [s3SseKms, s3Versioning] });
    const resources = stack.node.findAll().filter((c) => c instanceof TerraformResource).length;
    const perResource = vi.spyOn(TerraformResource.prototype, "toTerraform");
    a.synth();
    // cdktf alone: the preparing pass, then again when the stack is written.
    expect(perResource).toHaveBeenCalledTimes(resources);
    perResource.mockRestore();
    expect(written(outdir)).toEqual(fresh(stack));
  });

  for (const order of ["origin first", "reader first"] as const) {
    it(`writes a cross-stack reference as the remote state it registers (${order})`, () => {
      const outdir = mkdtempSync(join(tmpdir(), "snapshot-stack-"));
      dirs.push(outdir);
      const a = new App({ outdir, skipValidation: false });
      // Stacks are prepared in construction order: the reader's pass adds an output to an origin prepared before
      // or after it.
      const make = (id: string) => {
        const s = new SnapshotStack(a, id);
        new AwsProvider(s, "aws", { region: "eu-west-1" });
        return s;
      };
      const [origin, reader] =
        order === "origin first"
          ? [make("origin"), make("reader")]
          : ([make("reader"), make("origin")].reverse() as [SnapshotStack, SnapshotStack]);
      const source = bucket(origin, "Source");
      bucket(reader, "Copy").tags = { source: source.arn };
      applyRulePack(a, { environment: "dev", rules: [s3SseKms, s3Versioning] });
      a.synth();
      const read = (s: SnapshotStack) =>
        JSON.parse(readFileSync(join(outdir, "stacks", s.node.id, "cdk.tf.json"), "utf8")) as StackJson;
      const copy = Object.values(read(reader).resource.aws_s3_bucket)[0];
      expect(copy?.tags?.source).toMatch(
        /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-origin\.outputs\./,
      );
      expect(Object.keys(read(origin).output ?? {})).toHaveLength(1);
      for (const s of [origin, reader]) expect(read(s), s.node.id).toEqual(fresh(s));
    });
  }

  it("uses cdktf's own resolution for a stack with stack-level overrides, and writes them", () => {
    const { app: a, outdir, stack } = app();
    stack.addOverride("terraform.required_version", ">= 1.5.0");
    applyRulePack(a, { environment: "dev", rules: [s3SseKms, s3Versioning] });
    const resolutions = spyResolutions();
    a.synth();
    expect(resolutions).toHaveBeenCalledTimes(1);
    const json = written(outdir) as unknown as { terraform: { required_version: string } };
    expect(json.terraform.required_version).toBe(">= 1.5.0");
    expect(written(outdir)).toEqual(fresh(stack));
  });

  it("writes what cdktf's own toTerraform() gives, for every stack of the two-team example", () => {
    const out = synthPlatform(teamsExample());
    const stacks = out.blueprint.foundation.node.root.node
      .findAll()
      .filter((c): c is SnapshotStack => SnapshotStack.isSnapshotStack(c));
    expect(stacks.length).toBeGreaterThan(4);
    for (const s of stacks) {
      const text = readFileSync(join(out.outdir, "stacks", s.node.id, "cdk.tf.json"), "utf8");
      expect(JSON.parse(text), s.node.id).toEqual(fresh(s));
    }
  });
});
