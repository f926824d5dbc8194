import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { App, TerraformStack } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkovBin, requireCheckov } from "../support/checkov";
import { synthPlatform } from "../support/platform";

const ROOT = join(import.meta.dirname, "..", "..");
const SCAN = join(ROOT, ".ci", "checkov", "credentials.mjs");
const SCAN_GUARD_MS = 600_000;
const TEST_MS = SCAN_GUARD_MS + 30_000;
const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function runScan(args: string[]) {
  return spawnSync(process.execPath, [SCAN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CHECKOV_BIN: checkovBin },
    // A hang guard only: checkov takes seconds alone but minutes on a loaded CI machine (the 60 s guard killed
    // it there, status null).
    timeout: SCAN_GUARD_MS,
  });
}

requireCheckov("credentials scan tests");

describe.skipIf(!checkovBin)("credentials scan (.ci/checkov/credentials.mjs)", () => {
  it(
    "finds nothing in the teams example's team stacks (a Secret's name in an env var is not a secret)",
    () => {
      const doc = parse(readFileSync(join(ROOT, "examples", "configs", "teams.yaml"), "utf8"));
      const { outdir, stacks } = synthPlatform(doc);
      cleanup.push(outdir);
      const teamStacks = Object.keys(stacks).filter((n) => n.includes("-team-"));
      expect(teamStacks.length).toBeGreaterThan(0);
      const run = runScan([`teams=${outdir}`]);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      for (const name of teamStacks)
        expect(run.stdout).toMatch(new RegExp(`teams/${name}\\s+checkov secrets 0\\s+literals 0`));
    },
    TEST_MS,
  );

  it(
    "finds nothing in the default configuration's synthesized stacks",
    () => {
      const { outdir, stacks } = synthPlatform();
      cleanup.push(outdir);
      const run = runScan([`default=${outdir}`]);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      // Every stack was scanned, each with 0 findings from both detectors.
      for (const name of Object.keys(stacks))
        expect(run.stdout).toMatch(new RegExp(`default/${name}\\s+checkov secrets 0\\s+literals 0`));
      expect(run.stdout).toMatch(/credentials scan total: 0 finding\(s\) in [3-9] stack/);
    },
    TEST_MS,
  );

  it(
    "fails when a stack carries an AWS access key pair or a password literal in Helm values, naming file and check",
    () => {
      const outdir = mkdtempSync(join(tmpdir(), "credentials-plant-"));
      cleanup.push(outdir);
      const app = new App({ outdir });
      const stack = new TerraformStack(app, "planted");
      new HelmProvider(stack, "helm", {});
      new KubernetesProvider(stack, "k8s", {});
      new Release(stack, "Mlflow", {
        name: "mlflow",
        chart: "mlflow",
        values: ["auth:\n  adminPassword: Zq8vR2mWxpL4tK\n"],
      });
      new SecretV1(stack, "Keys", {
        metadata: { name: "aws" },
        data: {
          AWS_ACCESS_KEY_ID: "AKIAZ7Q4XK2MPLR5TWNB",
          AWS_SECRET_ACCESS_KEY: "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",
        },
      });
      app.synth();
      const run = runScan([`fixture=${outdir}`]);
      expect(run.status).toBe(1);
      const file = join(outdir, "stacks", "planted", "cdk.tf.json");
      // checkov's own detector sees the key id; the JSON detector sees the password inside the Helm values YAML.
      expect(run.stderr).toMatch(new RegExp(`fixture/planted: CKV_SECRET_2 ${file}:\\d+ AWS Access Key`));
      expect(run.stderr).toContain(
        `fixture/planted: MLOPS-CRED ${file} $.resource.helm_release.Mlflow.values[0]<yaml>.auth.adminPassword`,
      );
      expect(run.stderr).toContain('literal value for a secret-like key "AWS_SECRET_ACCESS_KEY"');
      expect(run.stdout).toMatch(/fixture\/planted\s+checkov secrets [1-9]\d*\s+literals [1-9]/);
    },
    TEST_MS,
  );

  it(
    "fails when a source file of any type holds an AWS access key (not only YAML/JSON)",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "credentials-source-"));
      cleanup.push(dir);
      writeFileSync(join(dir, "client.ts"), 'export const key = "AKIAZ7Q4XK2MPLR5TWNB";\n');
      const run = runScan(["--sources", dir]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`source ${dir}: CKV_SECRET_2 ${join(dir, "client.ts")}:1 AWS Access Key`);
    },
    TEST_MS,
  );
});
