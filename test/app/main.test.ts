import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

/** Runs the app the way `cdktf synth` does (tsx main.ts, CDKTF_OUTDIR set) with a configuration file. */
function runApp(config?: { name: string; text: string }) {
  const dir = mkdtempSync(join(tmpdir(), "mlops-app-"));
  const outdir = join(dir, "out");
  let file = "";
  if (config) {
    file = join(dir, config.name);
    writeFileSync(file, config.text);
  }
  const child = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, MLOPS_CONFIG: file },
    encoding: "utf8",
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, outdir };
}

describe("the app (main.ts)", () => {
  it("synthesizes the embedded default and prints a summary", () => {
    const r = runApp();
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(r.outdir, "stacks")).sort()).toEqual([
      "mlops-dev-foundation",
      "mlops-dev-platform",
      "mlops-dev-resources",
    ]);
    expect(r.stdout).toMatch(/Synthesized 3 stack\(s\), \d+ resources/);
    expect(r.stdout).toMatch(/mlops-dev-foundation: \d+ resources/);
    expect(r.stdout).toMatch(/^\s+1 {2}aws_eks_cluster$/m);
    expect(r.stdout).toContain("Configuration: embedded default");
  });

  it("synthesizes a YAML configuration file", () => {
    const r = runApp({
      name: "acme.yaml",
      text: "preset: minimal\nname: acme\nenvironment: prod\nregion: eu-central-1\nstateBackend: {type: s3, bucket: acme-tf-state}\n",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(r.outdir, "stacks", "acme-prod-foundation", "cdk.tf.json"))).toBe(true);
  });

  const bad: [string, { name: string; text: string }, RegExp[]][] = [
    [
      "fails when a YAML config has unknown keys and bad values, listing each with its path",
      {
        name: "bad.yaml",
        text: "name: acme\nenvironment: dev\nregion: eu-west-1\nnetwrk: {}\nnodePools:\n  a: {instanceTypes: [m5.large], minSize: 3, maxSize: 1}\n",
      },
      [
        /netwrk: unknown key "netwrk"; did you mean "network"\?/,
        /nodePools\.a\.minSize: got 3; expected at most maxSize \(1\)/,
      ],
    ],
    [
      "fails when an add-on option does not exist or is out of range, naming each path",
      {
        name: "addons.yaml",
        text: "preset: standard\nname: acme\nenvironment: dev\nregion: eu-west-1\naddons:\n  kafka: {mode: confluent}\n  airflow: {executor: SequentialExecutorr}\n  mlflow: {database: {backupRetentionInDays: 3}}\n",
      },
      [
        /addons\.kafka\.mode: got "confluent"; expected one of "msk", "strimzi"/,
        /addons\.airflow\.executor: .*SequentialExecutorr/,
        /addons\.mlflow\.database\.backupRetentionInDays: .*7/,
      ],
    ],
    [
      "fails when a JSON config is malformed",
      { name: "bad.json", text: '{"name": "acme",' },
      [/not valid JSON/],
    ],
    [
      "fails when YAML has a duplicate key, naming the line",
      { name: "dup.yaml", text: "name: a\nname: b\n" },
      [/not valid YAML at line 2/],
    ],
    [
      "fails when the file has an unsupported extension",
      { name: "config.toml", text: "name = 'a'" },
      [/expected \.yaml, \.yml or \.json/],
    ],
  ];
  for (const [name, config, patterns] of bad) {
    it(name, () => {
      const r = runApp(config);
      expect(r.status).toBe(1);
      for (const p of patterns) expect(r.stderr).toMatch(p);
      expect(existsSync(r.outdir), "nothing may be written").toBe(false);
    });
  }

  it("fails when MLOPS_CONFIG names a missing file", () => {
    const child = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        MLOPS_CONFIG: "/nonexistent/platform.yaml",
        CDKTF_OUTDIR: join(tmpdir(), "never"),
      },
      encoding: "utf8",
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/file not found: \/nonexistent\/platform\.yaml/);
  });
});

describe("the cdktf CLI with a bad configuration", () => {
  it("fails when MLOPS_CONFIG is invalid, exits non-zero and writes no stack output", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlops-cli-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "name: acme\nenvironment: dev\nregion: eu-west-1\ncluster: {kubernetesVersion: '1.20'}\n",
    );
    const outdir = join(dir, "cdktf.out");
    const child = spawnSync("npx", ["cdktf", "synth", "--output", outdir], {
      cwd: ROOT,
      env: { ...process.env, MLOPS_CONFIG: file, CHECKPOINT_DISABLE: "1", CI: "true" },
      encoding: "utf8",
    });
    expect(child.status).not.toBe(0);
    expect(`${child.stdout}${child.stderr}`).toMatch(
      /cluster\.kubernetesVersion: got "1\.20"; expected one of/,
    );
    expect(existsSync(join(outdir, "stacks"))).toBe(false);
  });
});
