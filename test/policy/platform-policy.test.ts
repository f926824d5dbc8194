import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type TerraformResource, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildPlatform } from "../../blueprints/platform-blueprint";
import { parsePlatformConfig } from "../../config/loader";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import { formatFinding, PolicyViolationError, RULES } from "../../constructs/policy";
import { thrownBy } from "../support/errors";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "configs");
const examples = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f));

/** Builds the platform for a configuration document as main.ts does; the blueprint applies the rule pack. */
function platformWithPack(doc: unknown, app: App = Testing.app()) {
  const config = parsePlatformConfig(doc, "test");
  const blueprint = buildPlatform(app, config);
  return { app, blueprint, pack: blueprint.policy, config };
}

describe("the platform under the rule pack", () => {
  const cases: [string, unknown][] = [
    ["the embedded default", EMBEDDED_DEFAULT],
    ...examples.map((f): [string, unknown] => [f, parse(readFileSync(join(EXAMPLES, f), "utf8"))]),
  ];

  for (const [name, doc] of cases) {
    it(`${name}: synthesizes with zero unsuppressed error-level findings`, () => {
      const { app, pack } = platformWithPack(doc);
      app.synth(); // runs the pack's aspects; throws PolicyViolationError on an error finding
      const errors = pack.unsuppressed("error");
      expect(errors.map(formatFinding)).toEqual([]);
      // The pack saw the platform: every stack and the core resources were checked.
      const types = new Set(pack.index().views.map((v) => v.type));
      for (const t of ["stack", "aws_s3_bucket", "aws_eks_cluster", "aws_kms_key", "aws_iam_role"])
        expect(types).toContain(t);
      console.info(`[policy] ${name}: ${pack.summaryLines().join("\n")}`);
    });
  }

  it("the summary lines count rules and findings", () => {
    const { app, pack } = platformWithPack(EMBEDDED_DEFAULT);
    app.synth();
    expect(pack.summaryLines()[0]).toMatch(
      new RegExp(
        `^Policy: ${RULES.length} rules \\(dev\\): 0 error\\(s\\), \\d+ warning\\(s\\), \\d+ info, \\d+ suppressed$`,
      ),
    );
  });

  it("fails synthesis of the default platform when a stateful resource loses prevent_destroy, naming it", () => {
    const outdir = mkdtempSync(join(tmpdir(), "policy-platform-"));
    try {
      const { app, blueprint } = platformWithPack(EMBEDDED_DEFAULT, new App({ outdir }));
      const key = blueprint.foundation.cluster.node
        .findAll()
        .find((c) => (c as TerraformResource).terraformResourceType === "aws_kms_key") as TerraformResource;
      key.lifecycle = { preventDestroy: false };
      const error = thrownBy(() => app.synth());
      expect(error).toBeInstanceOf(PolicyViolationError);
      expect((error as PolicyViolationError).findings.map((f) => [f.ruleId, f.path])).toEqual([
        ["MLOPS-STATE-001", key.node.path],
      ]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("suppressions from the configuration reach the pack and show in the summary", () => {
    const keyPath = "mlops-dev-foundation/Cluster/Key/Resource";
    const reason = "test: key is re-created by a pipeline";
    const { app, blueprint, pack } = platformWithPack({
      ...EMBEDDED_DEFAULT,
      policy: { suppressions: [{ rule: "MLOPS-STATE-001", path: keyPath, reason }] },
    });
    const key = blueprint.foundation.cluster.node
      .findAll()
      .find((c) => (c as TerraformResource).terraformResourceType === "aws_kms_key") as TerraformResource;
    expect(key.node.path).toBe(keyPath);
    key.lifecycle = { preventDestroy: false };
    expect(() => app.synth()).not.toThrow();
    expect(pack.summaryLines().join("\n")).toContain(
      `suppressed MLOPS-STATE-001 at ${keyPath} (config suppression at ${keyPath}): ${reason}`,
    );
  });

  it("fails when a configured suppression has no real reason, at its config path", () => {
    expect(() =>
      parsePlatformConfig({
        ...EMBEDDED_DEFAULT,
        policy: { suppressions: [{ rule: "MLOPS-STATE-001", path: "x", reason: "" }] },
      }),
    ).toThrow(/policy\.suppressions\[0\]\.reason/);
  });
});
