import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDiffArgs } from "../../../scripts/diff/cli";

/**
 * `npm run diff -- --base HEAD~1` end to end, in a fresh repository: the working tree's files (committed or
 * not) copied and committed twice, the second commit changing a configuration. Each run checks out HEAD~1 in
 * a git worktree, synthesizes both trees through the kit's app and writes diff.md and diff.json.
 */
const ROOT = join(import.meta.dirname, "..", "..", "..");
let repo = "";

const git = (...args: string[]) => {
  const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], {
    cwd: repo,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

const BASE_CONFIG = "preset: minimal\nname: e2e\nenvironment: dev\nregion: eu-west-1\n";

function diff(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  delete env.MLOPS_CONFIG;
  delete env.MLOPS_VALIDATE;
  const r = spawnSync("npm", ["run", "--silent", "diff", "--", ...args], {
    cwd: repo,
    encoding: "utf8",
    env,
    timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function setUpRepository(): void {
  repo = mkdtempSync(join(tmpdir(), "mlops-diff-e2e-"));
  const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .stdout.split("\0")
    .filter(
      (f) =>
        f &&
        !f.startsWith("node_modules") &&
        !f.startsWith("service/") &&
        !f.startsWith("pipelines/") &&
        !f.startsWith("bench/"),
    );
  for (const f of files) {
    mkdirSync(dirname(join(repo, f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(repo, f));
    } catch {
      // a file deleted in the working tree but still tracked
    }
  }
  symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"));
  writeFileSync(join(repo, "e2e.yaml"), BASE_CONFIG);
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  // The change under review: the system pool's maximum raised (4 in the minimal preset), and the sandbox opt-out (prevent_destroy off).
  writeFileSync(
    join(repo, "e2e.yaml"),
    `${BASE_CONFIG}sandbox: true\nnodePools:\n  system:\n    maxSize: 9\n`,
  );
  git("commit", "-q", "-am", "change");
}

afterAll(() => {
  if (repo && !process.env.KEEP_E2E) rmSync(repo, { recursive: true, force: true });
});

describe("npm run diff -- --base HEAD~1 in a fresh repository", () => {
  let first: ReturnType<typeof diff>;
  beforeAll(() => {
    setUpRepository();
    first = diff(["--base", "HEAD~1", "--config", "e2e.yaml", "--out", "out1"]);
  }, 600_000);

  it("exits 1 on the risky change, writes diff.md (also on stdout) and diff.json", () => {
    expect(first.status, first.stderr).toBe(1);
    const md = readFileSync(join(repo, "out1", "diff.md"), "utf8");
    expect(first.stdout).toBe(md);
    const json = JSON.parse(readFileSync(join(repo, "out1", "diff.json"), "utf8"));
    expect(json.format).toBe("mlops-kit-diff/1");
    expect(json.exitStatus).toBe(1);
    expect(json.risks).toBeGreaterThan(0);
    expect(md).toContain("node group `scaling_config.max_size`: 4 → 9");
    expect(md).toMatch(/prevent_destroy removed/);
    // The base tree is gone, the repository's worktree list is as before.
    expect(git("worktree", "list").trim().split("\n").length).toBe(1);
  });

  it("gives the same bytes on a second run, and exits 0 with --allow-risk", () => {
    const second = diff(["--base", "HEAD~1", "--config", "e2e.yaml", "--out", "out2", "--allow-risk"]);
    expect(second.status, second.stderr).toBe(0);
    const read = (dir: string, f: string) => readFileSync(join(repo, dir, f), "utf8");
    // --allow-risk changes only the verdict line and the JSON's allowRisk/exitStatus.
    const verdict = (s: string) => s.replace(/\*\*\d+ risks? to review\*\*.*\n/, "VERDICT\n");
    expect(verdict(read("out2", "diff.md"))).toBe(verdict(read("out1", "diff.md")));
    expect(read("out2", "diff.md")).toContain("accepted with --allow-risk");
    const strip = (s: string) => s.replace(/"allowRisk": (true|false)/, "").replace(/"exitStatus": \d/, "");
    expect(strip(read("out2", "diff.json"))).toBe(strip(read("out1", "diff.json")));
  }, 600_000);

  it("fails with 2 and a clear message on a ref that does not exist, or an unknown flag", () => {
    const ref = diff(["--base", "no-such-ref", "--out", "out3"]);
    expect(ref.status).toBe(2);
    expect(ref.stderr).toContain("--base no-such-ref: no such commit");
    const flag = diff(["--base", "HEAD~1", "--bogus"]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('unknown argument "--bogus"');
  });
});

describe("arguments", () => {
  const fails = (args: string[], message: RegExp) => expect(() => parseDiffArgs(args)).toThrow(message);

  it("takes the documented flags, repeatable ones repeated", () => {
    expect(
      parseDiffArgs([
        "--base",
        "main",
        "--config",
        "a.yaml",
        "--config=b.yaml",
        "--allow-risk",
        "--out",
        "o",
      ]),
    ).toEqual({
      base: "main",
      configs: ["a.yaml", "b.yaml"],
      plans: [],
      baseSynth: undefined,
      headSynth: undefined,
      out: "o",
      allowRisk: true,
      limit: 60000,
      keep: false,
      checkov: false,
    });
    expect(parseDiffArgs(["--plan-json", "foundation=a.json", "--plan-json", "b.json"])).toMatchObject({
      plans: ["foundation=a.json", "b.json"],
      out: "mlops-diff",
    });
  });

  it("fails when the arguments do not make a diff", () => {
    fails([], /nothing to compare/);
    fails(["--base-synth", "a"], /--base-synth and --head-synth go together/);
    fails(["--base-synth", "a", "--head-synth", "b", "--base", "main"], /leave out --base and --config/);
    fails(["--plan-json", "p.json", "--config", "a.yaml"], /--config needs --base/);
    fails(["--plan-json", "p.json", "--checkov"], /--checkov scans synthesized outputs/);
    fails(["--base", "main", "--limit", "70000"], /--limit 70000: expected a whole number/);
    fails(["--base", "main", "--base", "dev"], /--base given twice/);
    fails(["--base"], /--base needs a value/);
  });
});
