import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployOrder, readStacks, type StackInfo } from "../../../scripts/stacks/manifest";
import { failWhenMissingInCi } from "../../support/ci";
import { findTerraform, terraform } from "../../support/terraform";

/**
 * The synthesized backends and cross-stack reads with a real Terraform (or OpenTofu) in the real
 * cdktf.out/stacks/<stack>/ folders, where `cdktf deploy` runs it: each stack keeps its synthesized backend and
 * `terraform_remote_state` blocks, and its provider resources are replaced by plain outputs of the same names
 * (nothing to download: terraform_remote_state is built in), so foundation, platform and resources apply in
 * order on local files and each reads the earlier stacks' values.
 */
const ROOT = join(import.meta.dirname, "..", "..", "..");
const found = findTerraform();
const missing = "missing" in found ? found.missing : undefined;
if (missing) {
  console.warn(
    `\n${"!".repeat(100)}\n!! SKIPPED local state tests with a real Terraform: ${missing}\n${"!".repeat(100)}\n`,
  );
}
failWhenMissingInCi("local state with a real Terraform", missing);

interface Read {
  readonly output: string;
  readonly producer: string;
  readonly name: string;
}

const REMOTE_REF =
  /data\.terraform_remote_state\.cross-stack-reference-input-([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g;

/**
 * Rewrites a stack's cdk.tf.json in place: backend and remote-state blocks kept, every output a constant
 * `<stack>/<name>`, and one `read_<n>` output per cross-stack value the stack reads. Returns those reads.
 */
function outputsOnly(outdir: string, stack: StackInfo, statePath?: (stack: string) => string): Read[] {
  const file = join(outdir, stack.synthesizedStackPath);
  const text = readFileSync(file, "utf8");
  const json = JSON.parse(text) as {
    terraform: { backend: { local: { path: string } } };
    data?: { terraform_remote_state?: Record<string, { config: { path: string } }> };
    output?: Record<string, unknown>;
  };
  const keys = [...new Set([...text.matchAll(REMOTE_REF)].map((m) => `${m[1]} ${m[2]}`))].sort();
  const reads = keys.map((k, i) => {
    const [producer, name] = k.split(" ");
    return { output: `read_${i}`, producer, name };
  });
  const remote = json.data?.terraform_remote_state ?? {};
  if (statePath) {
    json.terraform.backend.local.path = statePath(stack.name);
    for (const [id, r] of Object.entries(remote)) r.config.path = statePath(id.replace(/^.*-input-/, ""));
  }
  const output: Record<string, { value: string }> = {};
  for (const name of Object.keys(json.output ?? {})) output[name] = { value: `${stack.name}/${name}` };
  for (const r of reads) {
    output[r.output] = {
      value: `\${data.terraform_remote_state.cross-stack-reference-input-${r.producer}.outputs.${r.name}}`,
    };
  }
  const reduced = {
    terraform: { backend: json.terraform.backend },
    ...(Object.keys(remote).length > 0 ? { data: { terraform_remote_state: remote } } : {}),
    output,
  };
  writeFileSync(file, JSON.stringify(reduced, null, 2));
  return reads;
}

/** State files below `dir` (`.terraform/terraform.tfstate` is Terraform's record of the backend, not state). */
function stateFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
    (f) => f.endsWith(".tfstate") && !f.split("/").includes(".terraform"),
  );
}

describe.skipIf(!!missing)("local state with a real Terraform (default configuration)", () => {
  const bin = "bin" in found ? found.bin : "";
  let work = "";
  let home = "";
  let order: StackInfo[] = [];
  const project = (name: string) => join(work, name);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "mlops-state-"));
    home = join(work, "home");
    mkdirSync(home);
    const outdir = join(project("project"), "cdktf.out");
    mkdirSync(project("project"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CDKTF_OUTDIR: outdir,
      MLOPS_CONFIG: "",
      CHECKPOINT_DISABLE: "1",
    };
    delete env.MLOPS_VALIDATE;
    const synth = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
      cwd: ROOT,
      env,
      encoding: "utf8",
    });
    if (synth.status !== 0) throw new Error(`synth failed (exit ${synth.status}):\n${synth.stderr}`);
    // The same synthesized app, its paths set back to the bare relative path the kit used to write.
    cpSync(project("project"), project("old-path"), { recursive: true });
    order = deployOrder(readStacks(outdir));
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const apply = (root: string, stack: StackInfo) => {
    const dir = join(root, "cdktf.out", stack.workingDirectory);
    const init = terraform(bin, dir, home, ["init", "-input=false"]);
    expect(init.status, `${stack.name}: terraform init\n${init.output}`).toBe(0);
    return { dir, run: terraform(bin, dir, home, ["apply", "-auto-approve", "-input=false"]) };
  };

  it(`applies foundation, platform and resources in order, each reading the earlier stacks' outputs (${"version" in found ? found.version : ""})`, () => {
    const root = project("project");
    expect(order.map((s) => s.name)).toEqual([
      "mlops-dev-foundation",
      "mlops-dev-platform",
      "mlops-dev-resources",
    ]);
    for (const stack of order) {
      const reads = outputsOnly(join(root, "cdktf.out"), stack);
      // Every stack after the first reads something from an earlier one.
      if (stack !== order[0]) expect(reads.length, stack.name).toBeGreaterThan(0);
      const { dir, run } = apply(root, stack);
      expect(run.status, `${stack.name}: terraform apply\n${run.output}`).toBe(0);
      const out = terraform(bin, dir, home, ["output", "-json"]);
      expect(out.status, out.output).toBe(0);
      const values = JSON.parse(out.output) as Record<string, { value: string }>;
      for (const r of reads) expect(values[r.output]?.value, r.output).toBe(`${r.producer}/${r.name}`);
    }
    // Every state file in the project root, none in a stack folder.
    expect(stateFilesUnder(root).sort()).toEqual(order.map((s) => `terraform.${s.name}.tfstate`).sort());
  });

  it('fails with the old bare relative path: the platform stack finds "No stored state"', () => {
    const root = project("old-path");
    const [foundation, platform] = order;
    outputsOnly(join(root, "cdktf.out"), foundation, (s) => `terraform.${s}.tfstate`);
    expect(apply(root, foundation).run.status).toBe(0);
    expect(
      existsSync(
        join(root, "cdktf.out", foundation.workingDirectory, `terraform.${foundation.name}.tfstate`),
      ),
    ).toBe(true);
    outputsOnly(join(root, "cdktf.out"), platform, (s) => `terraform.${s}.tfstate`);
    const { run } = apply(root, platform);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/No stored state was found/);
  });
});
