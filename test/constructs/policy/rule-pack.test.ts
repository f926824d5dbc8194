import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformStack, Testing } from "cdktf";
import { afterEach, describe, expect, it } from "vitest";
import {
  applyRulePack,
  INVALID_SUPPRESSION,
  PolicyConfigSchema,
  PolicyViolationError,
  RULES,
  s3SseKms,
  s3Versioning,
  suppress,
  UNUSED_SUPPRESSION,
} from "../../../constructs/policy";
import { thrownBy } from "../../support/errors";
import { bucket } from "./harness";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An app with two stacks, each with a bucket lacking encryption (foundation) or versioning (other). */
function twoStackApp(): { app: App; outdir: string; a: TerraformStack; b: TerraformStack } {
  const outdir = mkdtempSync(join(tmpdir(), "policy-"));
  dirs.push(outdir);
  const app = new App({ outdir, skipValidation: false });
  const a = new TerraformStack(app, "a");
  const b = new TerraformStack(app, "b");
  for (const s of [a, b]) new AwsProvider(s, "aws", { region: "eu-west-1" });
  bucket(a, "Unencrypted", { sse: false });
  bucket(b, "Unversioned", { versioning: false });
  return { app, outdir, a, b };
}

describe("rule pack", () => {
  it("has unique, well-formed rule ids with a message and an explanation each", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^MLOPS-[A-Z0-9]+-\d{3}$/);
      expect(r.message.length).toBeGreaterThan(10);
      expect(r.message).not.toContain("\n");
      expect(r.explanation.length).toBeGreaterThan(60);
      expect(["error", "warning", "info"]).toContain(r.severity);
    }
  });

  it("fails app.synth() before writing any stack, listing every error finding of every stack", () => {
    const { app, outdir } = twoStackApp();
    applyRulePack(app, { environment: "dev", rules: [s3SseKms, s3Versioning] });
    const error = thrownBy(() => app.synth());
    expect(error).toBeInstanceOf(PolicyViolationError);
    const message = (error as Error).message;
    expect(message).toContain("2 error-level finding(s)");
    expect(message).toContain("a/Unencrypted  MLOPS-S3-001 (error)");
    expect(message).toContain("b/Unversioned  MLOPS-S3-002 (error)");
    const written = readdirSync(join(outdir, "stacks"), { recursive: true }).filter((f) =>
      String(f).endsWith(".tf.json"),
    );
    expect(written).toEqual([]);
  });

  it("fails also when error annotations alone would not (CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS, as the CLI runs)", () => {
    const before = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
    try {
      const { app } = twoStackApp();
      applyRulePack(app, { environment: "dev", rules: [s3SseKms] });
      expect(() => app.synth()).toThrow(PolicyViolationError);
    } finally {
      if (before === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
      else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = before;
    }
  });

  it("reports findings as annotations carrying the rule id, through the aspects of a real synthesis", () => {
    // The CLI's setting (read when the stacks are created), so cdktf records error annotations instead of throwing.
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
    let built: ReturnType<typeof twoStackApp>;
    try {
      built = twoStackApp();
      applyRulePack(built.app, { environment: "dev", rules: [s3SseKms], failOnError: false });
      built.app.synth();
    } finally {
      delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    }
    const { outdir, a } = built;
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { annotations: { constructPath: string; level: string; message: string }[] }>;
    };
    const annotations = manifest.stacks.a.annotations.filter((x) => x.message.includes("MLOPS-"));
    expect(annotations).toEqual([
      {
        constructPath: `${a.node.path}/Unencrypted`,
        level: "@cdktf/error",
        message: expect.stringMatching(/^\[MLOPS-S3-001\] S3 bucket is not encrypted/),
        stacktrace: expect.anything(),
      },
    ]);
  });

  it("suppresses a finding from code and from config, lists both in the summary and lets synthesis pass", () => {
    const { app, a, b } = twoStackApp();
    suppress(
      a.node.findChild("Unencrypted"),
      "MLOPS-S3-001",
      "fixture bucket encrypted by the upstream account",
    );
    const pack = applyRulePack(app, {
      environment: "dev",
      rules: [s3SseKms, s3Versioning],
      suppressions: [{ rule: "MLOPS-S3-002", path: b.node.path, reason: "scratch data, rewritten hourly" }],
    });
    expect(() => app.synth()).not.toThrow();
    expect(pack.unsuppressed("error")).toEqual([]);
    const lines = pack.summaryLines();
    expect(lines[0]).toMatch(/^Policy: 2 rules \(dev\): 0 error\(s\), 0 warning\(s\), 0 info, 2 suppressed$/);
    expect(lines).toContain(
      "  suppressed MLOPS-S3-001 at a/Unencrypted (code suppression at a/Unencrypted): fixture bucket encrypted by the upstream account",
    );
    expect(lines).toContain(
      "  suppressed MLOPS-S3-002 at b/Unversioned (config suppression at b): scratch data, rewritten hourly",
    );
  });

  it("fails when a suppression in code has no reason", () => {
    const app = Testing.app();
    const s = new TerraformStack(app, "s");
    const b = new S3Bucket(s, "B", { bucket: "b" });
    expect(() => suppress(b, "MLOPS-S3-001", "")).toThrow(/reason "" is missing or too short/);
    expect(() => suppress(b, "S3-1", "a long enough reason")).toThrow(/is not a rule id/);
  });

  it("fails synthesis when a config suppression has no real reason or names an unknown rule, and warns on unused ones", () => {
    const { app, b } = twoStackApp();
    const pack = applyRulePack(app, {
      environment: "dev",
      rules: [s3SseKms, s3Versioning],
      failOnError: false,
      suppressions: [
        { rule: "MLOPS-S3-001", path: "a", reason: " " },
        { rule: "MLOPS-XX-999", path: "a", reason: "a reason that is long enough" },
        { rule: "MLOPS-S3-001", path: b.node.path, reason: "nothing unencrypted lives here" },
      ],
    });
    const invalid = pack.findings().filter((f) => f.ruleId === INVALID_SUPPRESSION);
    expect(invalid.map((f) => f.detail)).toEqual([
      'config suppression of MLOPS-S3-001 at "a": reason " " is missing or shorter than 10 characters',
      'config suppression of MLOPS-XX-999 at "a": rule "MLOPS-XX-999" is not a rule of this pack',
    ]);
    expect(invalid.every((f) => f.severity === "error")).toBe(true);
    // The invalid suppression did not apply: the unencrypted bucket is still an error.
    expect(pack.unsuppressed("error").map((f) => f.ruleId)).toContain("MLOPS-S3-001");
    const unused = pack.findings().filter((f) => f.ruleId === UNUSED_SUPPRESSION);
    expect(unused.map((f) => [f.severity, f.path])).toEqual([["warning", "b"]]);
  });

  it("matches suppression paths by whole segments", () => {
    const app = Testing.app();
    const s = new TerraformStack(app, "s");
    bucket(s, "Raw", { sse: false });
    bucket(s, "RawArchive", { sse: false });
    const pack = applyRulePack(app, {
      environment: "dev",
      rules: [s3SseKms],
      failOnError: false,
      suppressions: [{ rule: "MLOPS-S3-001", path: "s/Raw", reason: "only the raw bucket is exempt here" }],
    });
    expect(pack.unsuppressed("error").map((f) => f.path)).toEqual(["s/RawArchive"]);
  });

  it("validates policy.suppressions in the configuration (strict, reason of at least 10 characters)", () => {
    expect(
      PolicyConfigSchema.parse({
        suppressions: [{ rule: "MLOPS-S3-005", path: "x/y", reason: "log bucket by design" }],
      }),
    ).toEqual({ suppressions: [{ rule: "MLOPS-S3-005", path: "x/y", reason: "log bucket by design" }] });
    expect(PolicyConfigSchema.parse({})).toEqual({ suppressions: [] });
    const short = PolicyConfigSchema.safeParse({
      suppressions: [{ rule: "MLOPS-S3-005", path: "x", reason: "ok" }],
    });
    expect(short.success).toBe(false);
    expect(JSON.stringify(short.error?.issues)).toContain("suppressions");
    const extra = PolicyConfigSchema.safeParse({
      suppressions: [{ rule: "MLOPS-S3-005", path: "x", reason: "long enough reason", until: "2027" }],
    });
    expect(extra.success).toBe(false);
    expect(
      PolicyConfigSchema.safeParse({
        suppressions: [{ rule: "S3", path: "x", reason: "long enough reason" }],
      }).success,
    ).toBe(false);
  });

  it("fails when applied to an app without stacks", () => {
    expect(() => applyRulePack(Testing.app(), { environment: "dev" })).toThrow(/no stacks yet/);
  });
});

describe("rule pack evaluation timing", () => {
  it("sees constructs added after an earlier findings() call when the app synthesizes", () => {
    const app = Testing.app();
    const s = new TerraformStack(app, "s");
    new AwsProvider(s, "aws", { region: "eu-west-1" });
    bucket(s, "Good");
    const pack = applyRulePack(app, { environment: "dev", rules: [s3SseKms] });
    expect(pack.findings()).toEqual([]);
    bucket(s, "Late", { sse: false });
    expect(() => Testing.synth(s)).toThrow(/s\/Late {2}MLOPS-S3-001/);
  });
});
