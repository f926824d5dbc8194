import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `npm run deploy | destroy | diff` (scripts/stacks/main.ts) against a fake `cdktf` on PATH that records every
 * call (argv, cwd, MLOPS_CONFIG) and synthesizes the real app for `synth`. No Terraform, no AWS.
 */
const ROOT = join(import.meta.dirname, "..", "..", "..");
const SCRIPT = join(ROOT, "scripts", "stacks", "main.ts");
const FAKE = join(import.meta.dirname, "fake-cdktf.mjs");

interface Call {
  readonly argv: string[];
  readonly cwd: string;
  readonly mlopsConfig: string | null;
}

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: Call[];
}

let work = "";
let bin = "";

/** A project folder that runs the kit's main.ts, with the repository's node_modules. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, "cdktf.json"),
    JSON.stringify({ language: "typescript", app: `node --import tsx ${join(ROOT, "main.ts")}` }),
  );
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

let runs = 0;
function stacks(cwd: string, args: string[], env: Record<string, string> = {}): Result {
  const log = join(work, `calls-${++runs}.jsonl`);
  writeFileSync(log, "");
  const base: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  delete base.MLOPS_CONFIG;
  delete base.MLOPS_VALIDATE;
  const run = spawnSync(process.execPath, ["--import", "tsx", SCRIPT, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...base, PATH: `${bin}:${process.env.PATH}`, FAKE_CDKTF_LOG: log, ...env },
  });
  const calls = readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Call);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls };
}

const argvs = (r: Result) => r.calls.map((c) => c.argv.join(" "));
const DEFAULT = ["mlops-dev-foundation", "mlops-dev-platform", "mlops-dev-resources"];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "mlops-stacks-"));
  bin = join(work, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "cdktf"), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" "$@"\n`);
  chmodSync(join(bin, "cdktf"), 0o755);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("npm run deploy/destroy/diff with the default configuration", () => {
  let dir = "";
  let first: Result;
  beforeAll(() => {
    dir = project("default");
    first = stacks(dir, ["deploy"]);
  }, 180_000);
  const state = (stack: string) => join(dir, `terraform.${stack}.tfstate`);
  const withState = (names: string[], check: () => void) => {
    for (const n of names) writeFileSync(state(n), "{}");
    try {
      check();
    } finally {
      for (const n of names) rmSync(state(n), { force: true });
    }
  };

  it("synthesizes once in the project root, then deploys foundation, platform, resources one at a time", () => {
    expect(first.status, first.stderr).toBe(0);
    expect(argvs(first)).toEqual([
      "synth",
      ...DEFAULT.map((s) => `deploy ${s} --skip-synth --ignore-missing-stack-dependencies`),
    ]);
    for (const c of first.calls) expect(c).toMatchObject({ cwd: dir, mlopsConfig: null });
    expect(existsSync(join(dir, "cdktf.out", "manifest.json"))).toBe(true);
  });

  it("destroys in the reverse order, passing --auto-approve only when asked", () => {
    const asked = stacks(dir, ["destroy", "--auto-approve", "--skip-synth"]);
    expect(asked.status, asked.stderr).toBe(0);
    expect(argvs(asked)).toEqual(
      [...DEFAULT]
        .reverse()
        .map((s) => `destroy ${s} --skip-synth --ignore-missing-stack-dependencies --auto-approve`),
    );
    const notAsked = stacks(dir, ["destroy", "--skip-synth"]);
    expect(notAsked.calls.every((c) => !c.argv.includes("--auto-approve"))).toBe(true);
    expect(notAsked.calls).toHaveLength(3);
  });

  it("passes --migrate-state only when asked", () => {
    withState(DEFAULT.slice(0, 2), () => {
      const asked = stacks(dir, ["diff", "--skip-synth", "--migrate-state"]);
      expect(argvs(asked)).toEqual(DEFAULT.map((s) => `diff ${s} --skip-synth --migrate-state`));
      const notAsked = stacks(dir, ["deploy", "--skip-synth"]);
      expect(notAsked.calls.every((c) => !c.argv.includes("--migrate-state"))).toBe(true);
    });
  });

  it("stops at the first failing stack, names it and says how to resume", () => {
    const r = stacks(dir, ["deploy", "--skip-synth", "--auto-approve"], {
      FAKE_CDKTF_FAIL: "mlops-dev-platform",
    });
    expect(r.status).toBe(1);
    expect(argvs(r)).toEqual(
      DEFAULT.slice(0, 2).map(
        (s) => `deploy ${s} --skip-synth --ignore-missing-stack-dependencies --auto-approve`,
      ),
    );
    expect(r.stderr).toContain(
      "deploy of stack mlops-dev-platform failed (cdktf exit 1); not run: mlops-dev-resources",
    );
    expect(r.stderr).toContain("npm run deploy -- --from mlops-dev-platform");
  });

  it("diff plans the foundation, then stops at the platform while the foundation has no state", () => {
    const r = stacks(dir, ["diff", "--skip-synth"]);
    expect(r.status).toBe(3);
    expect(argvs(r)).toEqual(["diff mlops-dev-foundation --skip-synth"]);
    expect(r.stderr).toContain(
      "diff stopped: stack mlops-dev-platform cannot be planned yet: it reads outputs of mlops-dev-foundation, which has no state (not deployed yet); not run: mlops-dev-resources",
    );
  });

  it("diff plans every stack in order once the upstream stacks have state", () => {
    withState(DEFAULT.slice(0, 2), () => {
      const r = stacks(dir, ["diff", "--skip-synth"]);
      expect(r.status, r.stderr).toBe(0);
      expect(argvs(r)).toEqual(DEFAULT.map((s) => `diff ${s} --skip-synth`));
    });
  });

  it("diff turns Terraform's missing remote state into the same clear stop", () => {
    withState(DEFAULT.slice(0, 2), () => {
      const r = stacks(dir, ["diff", "--skip-synth"], { FAKE_CDKTF_NO_STATE: "mlops-dev-platform" });
      expect(r.status).toBe(3);
      expect(argvs(r)).toEqual(DEFAULT.slice(0, 2).map((s) => `diff ${s} --skip-synth`));
      expect(r.stderr).toContain("diff stopped: stack mlops-dev-platform cannot be planned yet");
    });
  });

  it("--stack limits to the named stacks (full name or last part); --from starts there", () => {
    withState(["mlops-dev-platform"], () => {
      const args = ["deploy", "--skip-synth", "--stack", "resources", "--stack=mlops-dev-foundation"];
      const only = stacks(dir, args);
      expect(only.status, only.stderr).toBe(0);
      expect(argvs(only)).toEqual(
        ["mlops-dev-foundation", "mlops-dev-resources"].map(
          (s) => `deploy ${s} --skip-synth --ignore-missing-stack-dependencies`,
        ),
      );
    });
    const from = stacks(dir, ["destroy", "--skip-synth", "--from", "platform"]);
    expect(argvs(from)).toEqual(
      ["mlops-dev-platform", "mlops-dev-foundation"].map(
        (s) => `destroy ${s} --skip-synth --ignore-missing-stack-dependencies`,
      ),
    );
  });

  it("fails when a deploy starts at a stack whose upstream stack has no state", () => {
    const r = stacks(dir, ["deploy", "--skip-synth", "--stack", "platform"]);
    expect(r.status).toBe(1);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toContain("deploy stopped: stack mlops-dev-platform cannot be planned yet");
    withState(["mlops-dev-foundation"], () => {
      expect(argvs(stacks(dir, ["deploy", "--skip-synth", "--stack", "platform"]))).toEqual([
        "deploy mlops-dev-platform --skip-synth --ignore-missing-stack-dependencies",
      ]);
    });
  });

  it("fails when --stack names no stack, listing the stacks", () => {
    const r = stacks(dir, ["deploy", "--skip-synth", "--stack", "nope"]);
    expect(r.status).toBe(2);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toContain(`error: "nope" is no stack; the stacks are: ${DEFAULT.join(", ")}`);
  });
});

describe("npm run deploy with an example configuration (MLOPS_CONFIG)", () => {
  it("synthesizes that configuration and deploys its stacks in order", () => {
    const dir = project("acme-prod");
    const config = join(ROOT, "examples", "configs", "acme-prod.yaml");
    const r = stacks(dir, ["deploy", "--auto-approve"], { MLOPS_CONFIG: config });
    expect(r.status, r.stderr).toBe(0);
    expect(argvs(r)).toEqual([
      "synth",
      ...["foundation", "platform", "resources"].map(
        (s) => `deploy acme-prod-${s} --skip-synth --ignore-missing-stack-dependencies --auto-approve`,
      ),
    ]);
    expect(r.calls[0].mlopsConfig).toBe(config);
    // An S3 backend cannot be checked locally: diff leaves the question to Terraform.
    const diff = stacks(dir, ["diff", "--skip-synth"], { MLOPS_CONFIG: config });
    expect(diff.status, diff.stderr).toBe(0);
    expect(diff.calls).toHaveLength(3);
  }, 120_000);
});

describe("bad arguments", () => {
  let dir = "";
  beforeAll(() => {
    dir = project("bad-arguments");
  });
  const cases: [string, string[], RegExp][] = [
    ["fails when no command is given", [], /expected a command \(deploy, destroy, diff\) first; got nothing/],
    ["fails when the command is unknown", ["apply"], /got "apply"/],
    ["fails when a flag is unknown", ["deploy", "--yes"], /unknown argument "--yes"/],
    [
      "fails when diff is asked to auto-approve",
      ["diff", "--auto-approve"],
      /--auto-approve is for deploy and destroy/,
    ],
    ["fails when --stack has no value", ["deploy", "--stack"], /--stack needs a stack name/],
    [
      "fails when --stack is followed by a flag",
      ["deploy", "--stack", "--auto-approve"],
      /--stack needs a stack name/,
    ],
    [
      "fails when --stack and --from are combined",
      ["destroy", "--stack", "a", "--from", "b"],
      /do not go together/,
    ],
    [
      "fails when a boolean flag is given a value",
      ["deploy", "--auto-approve=yes"],
      /unknown argument "--auto-approve=yes"/,
    ],
  ];
  it.each(cases)("%s: exit 2, the problem and the usage, cdktf never called", (_, args, message) => {
    const r = stacks(dir, args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain("usage: npm run deploy|destroy|diff -- [options]");
    expect(r.calls).toEqual([]);
  });

  it("prints the usage with --help and exits 0", () => {
    const r = stacks(dir, ["deploy", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--auto-approve");
    expect(r.calls).toEqual([]);
  });
});
