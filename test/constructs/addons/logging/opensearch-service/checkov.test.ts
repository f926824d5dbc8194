import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { deployAddOns } from "../../../../../constructs/core";
import { failWhenMissingInCi } from "../../../../support/ci";
import { baseAddOnContext } from "../../../../support/cluster";
import { loggingProbe } from "./support";

// The domain on its own under the kit's checkov scan (skip list included), until the logging add-on wires it
// into the platform synth that test/policy/checkov.test.ts scans.
const ROOT = join(import.meta.dirname, "..", "..", "..", "..", "..");
const SCAN = join(ROOT, ".ci", "checkov", "scan.mjs");
const checkov = [process.env.CHECKOV_BIN, "/opt/mlops-ci/checkov-venv/bin/checkov"]
  .filter((c): c is string => Boolean(c))
  .find((c) => existsSync(c));

if (!checkov) {
  console.warn(
    [
      "",
      "!".repeat(100),
      "!! SKIPPED OpenSearch Service checkov scan: no checkov ($CHECKOV_BIN or /opt/mlops-ci/checkov-venv).",
      "!! Run .ci/steps/checkov.sh and set CHECKOV_BIN.",
      "!".repeat(100),
      "",
    ].join("\n"),
  );
}
failWhenMissingInCi(
  "OpenSearch Service checkov scan",
  !checkov && "checkov not found (bash .ci/steps/checkov.sh)",
);

describe.skipIf(!checkov)("OpenSearch Service domain under checkov", () => {
  it("has zero unsuppressed failures in dev and prod stacks (domain and bootstrap Job), prod without any skip", () => {
    const outdir = mkdtempSync(join(tmpdir(), "checkov-aos-"));
    try {
      const app = new App({ outdir });
      for (const env of ["dev", "prod"]) {
        const stack = new TerraformStack(app, `acme-${env}-platform`);
        new AwsProvider(stack, "aws", { region: "eu-west-1" });
        const base = baseAddOnContext(stack);
        // At the path the logging add-on builds it (AddOns/logging/…), which the non-prod trade-offs scope to.
        deployAddOns(
          new Construct(stack, "AddOns"),
          { ...base, platform: { ...base.platform, environment: env } },
          [loggingProbe(undefined, { namePrefix: `acme-${env}`, production: env === "prod" })],
        );
      }
      app.synth();
      const run = spawnSync(process.execPath, [SCAN, `aos=${outdir}`], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, CHECKOV_BIN: checkov },
        timeout: 240_000,
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/aos\/acme-dev-platform\s+passed\s+[1-9]\d*\s+failed\s+0\s+skipped\s+2\b/);
      expect(run.stdout).toMatch(/aos\/acme-prod-platform\s+passed\s+[1-9]\d*\s+failed\s+0\s+skipped\s+0\b/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 300_000);
});
