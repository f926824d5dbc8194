import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failWhenMissingInCi } from "../../support/ci";
import { findTerraform, terraform, terraformEnv } from "../../support/terraform";

/**
 * `npm run plan` (scripts/stacks/plan.ts) with a real Terraform on a synthesized output of two stacks that need
 * no provider download (terraform_data, and terraform_remote_state on the first stack's local state), laid out as
 * cdktf writes it: the manifest, cdktf.out/stacks/<stack>/cdk.tf.json, local backends in the project root.
 */
const ROOT = join(import.meta.dirname, "..", "..", "..");
const SCRIPT = join(ROOT, "scripts", "stacks", "plan.ts");
const found = findTerraform();
const missing = "missing" in found ? found.missing : undefined;
failWhenMissingInCi("npm run plan with a real Terraform", missing);

/** A Terraform interpolation, `${<e>}`, as cdktf writes it into the JSON. */
const ref = (e: string) => `\${${e}}`;
const backend = (stack: string) => ({ local: { path: `../../../terraform.${stack}.tfstate` } });

/** `app-foundation` (a terraform_data and an output) and `app-platform`, which reads that output. */
function stackJson(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  if (name === "app-foundation")
    return {
      terraform: { backend: backend(name) },
      resource: { terraform_data: { bucket: { input: "lake-raw" } } },
      output: { bucket: { value: ref("terraform_data.bucket.output") } },
      ...extra,
    };
  return {
    terraform: { backend: backend(name) },
    data: {
      terraform_remote_state: {
        foundation: { backend: "local", config: { path: "../../../terraform.app-foundation.tfstate" } },
      },
    },
    resource: {
      terraform_data: { reader: { input: ref("data.terraform_remote_state.foundation.outputs.bucket") } },
    },
    ...extra,
  };
}

let work = "";
let home = "";
let projects = 0;

/** A project folder with cdktf.json and a synthesized cdktf.out whose manifest lists `order` (platform first). */
function project(platformExtra: Record<string, unknown> = {}): string {
  const dir = join(work, `p${++projects}`);
  const stacks = ["app-platform", "app-foundation"];
  for (const s of stacks) {
    mkdirSync(join(dir, "cdktf.out", "stacks", s), { recursive: true });
    const json = s === "app-platform" ? stackJson(s, platformExtra) : stackJson(s);
    writeFileSync(join(dir, "cdktf.out", "stacks", s, "cdk.tf.json"), JSON.stringify(json));
  }
  writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "false" }));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const manifest = {
    version: "0.21.0",
    stacks: Object.fromEntries(
      stacks.map((s) => [
        s,
        {
          name: s,
          dependencies: s === "app-platform" ? ["app-foundation"] : [],
          workingDirectory: `stacks/${s}`,
          synthesizedStackPath: `stacks/${s}/cdk.tf.json`,
        },
      ]),
    ),
  };
  writeFileSync(join(dir, "cdktf.out", "manifest.json"), JSON.stringify(manifest));
  return dir;
}

function plan(cwd: string, args: string[] = ["--skip-synth"]) {
  const bin = "bin" in found ? found.bin : "terraform";
  const r = spawnSync(process.execPath, ["--import", "tsx", SCRIPT, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...terraformEnv(home), TERRAFORM_BINARY_NAME: bin },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface PlanJson {
  format_version: string;
  resource_changes: { address: string; change: { actions: string[]; after: Record<string, unknown> } }[];
}
const readPlan = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as PlanJson;
const listed = (dir: string) =>
  readFileSync(join(dir, "mlops-plan", "plans.txt"), "utf8")
    .split("\n")
    .filter(Boolean);

describe.skipIf(missing !== undefined)("npm run plan", () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "mlops-plan-"));
    home = join(work, "home");
    mkdirSync(home);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("plans the first stack and stops, exit 3, at a stack whose upstream stack has no state yet", () => {
    const dir = project();
    const r = plan(dir);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain("plan: app-foundation -> app-platform");
    expect(r.stderr).toContain(
      "plan stopped: stack app-platform cannot be planned yet: it reads outputs of app-foundation",
    );
    expect(listed(dir)).toEqual(["app-foundation=mlops-plan/app-foundation.json"]);
    const p = readPlan(dir, "mlops-plan/app-foundation.json");
    expect(p.resource_changes.map((c) => [c.address, c.change.actions])).toEqual([
      ["terraform_data.bucket", ["create"]],
    ]);
    // The binary plan is not left behind: only the JSON the diff reads.
    expect(readdirSync(join(dir, "mlops-plan")).sort()).toEqual(["app-foundation.json", "plans.txt"]);
  });

  it("plans every stack in deploy order once the upstream stack has state, reading its outputs", () => {
    const dir = project();
    const foundation = join(dir, "cdktf.out", "stacks", "app-foundation");
    for (const args of [["init"], ["apply", "-auto-approve"]]) {
      const r = terraform("bin" in found ? found.bin : "terraform", foundation, home, args);
      expect(r.status, r.output).toBe(0);
    }
    const r = plan(dir, ["--skip-synth", "--out", "plans"]);
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(join(dir, "plans", "plans.txt"), "utf8")
      .split("\n")
      .filter(Boolean);
    // The manifest lists the platform first; the plan goes in dependency order.
    expect(lines).toEqual([
      "app-foundation=plans/app-foundation.json",
      "app-platform=plans/app-platform.json",
    ]);
    const applied = readPlan(dir, "plans/app-foundation.json").resource_changes;
    expect(applied.map((c) => [c.address, c.change.actions])).toEqual([["terraform_data.bucket", ["no-op"]]]);
    const platform = readPlan(dir, "plans/app-platform.json");
    expect(platform.format_version).toMatch(/^1\./);
    expect(platform.resource_changes).toHaveLength(1);
    expect(platform.resource_changes[0]).toMatchObject({
      address: "terraform_data.reader",
      change: { actions: ["create"], after: { input: "lake-raw" } },
    });
  });

  it("fails when a stack's plan fails, naming the stack and the stacks not planned", () => {
    const dir = project();
    const foundation = join(dir, "cdktf.out", "stacks", "app-foundation");
    const bin = "bin" in found ? found.bin : "terraform";
    expect(terraform(bin, foundation, home, ["init"]).status).toBe(0);
    expect(terraform(bin, foundation, home, ["apply", "-auto-approve"]).status).toBe(0);
    const broken = project({ output: { x: { value: ref("terraform_data.nothing.output") } } });
    // The broken project's foundation has no state: give it the applied one.
    writeFileSync(
      join(broken, "terraform.app-foundation.tfstate"),
      readFileSync(join(dir, "terraform.app-foundation.tfstate")),
    );
    const r = plan(broken);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/terraform (plan|init) of stack app-platform failed \(exit 1\)/);
    expect(listed(broken)).toEqual(["app-foundation=mlops-plan/app-foundation.json"]);
  });

  it("fails with exit 2 and the usage on an unknown argument", () => {
    const r = plan(project(), ["--stack", "x"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: unknown argument "--stack"');
    expect(r.stderr).toContain("usage: npm run plan");
  });
});
