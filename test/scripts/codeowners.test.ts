import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BEGIN, codeownersBlock, codeownersMain, END, teamOwners, withBlock } from "../../scripts/codeowners";

/**
 * `npm run codeowners` (scripts/codeowners.ts) run as the pull-request workflow runs it, on configurations with
 * teams: the rules it writes, what it keeps, and the --check the workflow gates on.
 */
const ROOT = join(import.meta.dirname, "..", "..");

let work = "";
let n = 0;

const config = (teams: Record<string, unknown>, environment = "dev") => ({
  name: "acme",
  environment,
  region: "eu-west-1",
  preset: "minimal",
  teams,
});

/** A repository folder with the given files. */
function repo(files: Record<string, string>): string {
  const dir = join(work, `r${++n}`);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

/** The command in-process, as `npm run codeowners -- <args>` in `cwd` runs it. */
function codeowners(cwd: string, args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const status = codeownersMain(args, cwd, {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    env,
  });
  return { status, stdout, stderr };
}

const read = (dir: string) => readFileSync(join(dir, ".github", "CODEOWNERS"), "utf8");
/** The rules of a CODEOWNERS text: pattern and owners of each line that is not a comment. */
const rules = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/))
    .map(([pattern, ...owners]) => ({ pattern, owners }));
/** GitHub's reading: the last rule whose pattern matches the path decides the owners (prefix patterns only). */
const ownersOf = (text: string, path: string) =>
  rules(text)
    .filter((r) => r.pattern === "*" || `/${path}`.startsWith(r.pattern))
    .at(-1)?.owners ?? [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "codeowners-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm run codeowners", () => {
  it("gives each team's folder to its reviewers, after the repository's own rules, which it keeps", () => {
    const dir = repo({
      "platform.yaml": stringify(
        config({
          fraud: { reviewers: ["@acme/fraud-ml", "@alice"] },
          risk: { reviewers: ["@acme/risk"] },
          sandbox: {},
        }),
      ),
      ".github/CODEOWNERS": "# ours\n* @acme/platform\n",
    });
    const r = codeowners(dir, [], { MLOPS_CONFIG: "platform.yaml" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("wrote .github/CODEOWNERS (2 team rules)");
    const text = read(dir);
    expect(text.startsWith("# ours\n* @acme/platform\n\n")).toBe(true);
    expect(rules(text)).toEqual([
      { pattern: "*", owners: ["@acme/platform"] },
      { pattern: "/teams/fraud/", owners: ["@acme/fraud-ml", "@alice"] },
      { pattern: "/teams/risk/", owners: ["@acme/risk"] },
    ]);
    // The last matching rule wins: the team owns its folder, the platform team everything else.
    expect(ownersOf(text, "teams/fraud/pipelines/train.py")).toEqual(["@acme/fraud-ml", "@alice"]);
    expect(ownersOf(text, "teams/risk/README.md")).toEqual(["@acme/risk"]);
    expect(ownersOf(text, "teams/sandbox/x.py")).toEqual(["@acme/platform"]);
    expect(ownersOf(text, "config/teams.ts")).toEqual(["@acme/platform"]);
    // A team without reviewers is named, with where to set them, but owns nothing.
    expect(text).toContain("# /teams/sandbox/: no reviewers (teams.sandbox.reviewers)");
  });

  it("merges a team's reviewers from every configuration given, and writes the same bytes twice", () => {
    const dir = repo({
      "dev.yaml": stringify(config({ fraud: { reviewers: ["@acme/fraud-ml"] } })),
      "prod.yaml": stringify(
        config(
          { fraud: { reviewers: ["@acme/fraud-oncall", "@acme/fraud-ml"] }, risk: { reviewers: ["@bob"] } },
          "prod",
        ),
      ),
    });
    const args = ["--config", "dev.yaml", "--config", "prod.yaml"];
    expect(codeowners(dir, args).status).toBe(0);
    const first = read(dir);
    expect(rules(first)).toEqual([
      { pattern: "/teams/fraud/", owners: ["@acme/fraud-ml", "@acme/fraud-oncall"] },
      { pattern: "/teams/risk/", owners: ["@bob"] },
    ]);
    expect(first).toContain("# team fraud (dev.yaml, prod.yaml)");
    expect(first).toContain("# team risk (prod.yaml)");
    expect(codeowners(dir, args).status).toBe(0);
    expect(read(dir)).toBe(first);
    expect(codeowners(dir, [...args, "--check"]).status).toBe(0);
  });

  it("fails --check when the configuration changed since the file was written, without writing", () => {
    const dir = repo({ "platform.yaml": stringify(config({ fraud: { reviewers: ["@acme/fraud-ml"] } })) });
    expect(codeowners(dir, ["--config", "platform.yaml"]).status).toBe(0);
    const before = read(dir);
    writeFileSync(
      join(dir, "platform.yaml"),
      stringify(config({ fraud: { reviewers: ["@acme/fraud-v2"] } })),
    );
    const r = codeowners(dir, ["--config", "platform.yaml", "--check"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is out of date with the teams configuration: run npm run codeowners");
    expect(r.stderr).toContain("/teams/fraud/ @acme/fraud-v2");
    expect(read(dir)).toBe(before);
  });

  it("fails --check when the file is missing or its block was edited by hand", () => {
    const dir = repo({ "platform.yaml": stringify(config({ fraud: { reviewers: ["@acme/fraud-ml"] } })) });
    expect(codeowners(dir, ["--config", "platform.yaml", "--check"]).status).toBe(1);
    expect(codeowners(dir, ["--config", "platform.yaml"]).status).toBe(0);
    writeFileSync(join(dir, ".github", "CODEOWNERS"), read(dir).replace("@acme/fraud-ml", "@mallory"));
    expect(codeowners(dir, ["--config", "platform.yaml", "--check"]).status).toBe(1);
  });

  it("fails with exit 2 naming the path and value of a bad reviewer", () => {
    const dir = repo({ "platform.yaml": stringify(config({ fraud: { reviewers: ["acme/fraud"] } })) });
    const r = codeowners(dir, ["--config", "platform.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("teams.fraud.reviewers");
    expect(r.stderr).toContain("expected a GitHub owner like @org/team");
  });

  it("fails with exit 2 on a file whose markers are broken, and on an unknown argument", () => {
    const dir = repo({
      "platform.yaml": stringify(config({})),
      ".github/CODEOWNERS": `${BEGIN}\n* @x\n`,
    });
    const r = codeowners(dir, ["--config", "platform.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `.github/CODEOWNERS: expected one "${BEGIN}" line followed by one "${END}" line`,
    );
    expect(codeowners(dir, ["--team", "x"]).status).toBe(2);
  });

  it("is up to date in this repository for the embedded default, run as the workflow runs it", () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.MLOPS_CONFIG;
    const r = spawnSync("npm", ["run", "--silent", "codeowners", "--", "--check"], {
      cwd: ROOT,
      encoding: "utf8",
      env,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(".github/CODEOWNERS is up to date (0 team rules)");
  });
});

describe("codeowners block", () => {
  it("replaces only the block, keeping what comes before and after it", () => {
    const block = codeownersBlock(teamOwners([{ source: "a.yaml", teams: {} }]));
    const text = `* @a\n${block}/docs/ @b\n`;
    const next = withBlock(text, codeownersBlock([{ team: "t", reviewers: ["@c"], sources: ["a.yaml"] }]));
    expect(rules(next)).toEqual([
      { pattern: "*", owners: ["@a"] },
      { pattern: "/teams/t/", owners: ["@c"] },
      { pattern: "/docs/", owners: ["@b"] },
    ]);
  });
});
