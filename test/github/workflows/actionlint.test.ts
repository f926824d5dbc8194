/**
 * Every GitHub Actions workflow of the repository passes actionlint with ShellCheck on its scripts, as written
 * (commit-pinned actions) and with its actions at their major tags (so that `with:` keys are checked against
 * the actions' inputs). The fixture tests show the gate fails on what it is there for.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ACTIONLINT,
  actionlint,
  actionlintMissing,
  gh,
  PINNED_USES,
  withMajorTags,
} from "../../support/actionlint";
import { failWhenMissingInCi } from "../../support/ci";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const workflows = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

describe("workflow files", () => {
  it("exist (the image, pull-request and deploy workflows at least)", () => {
    expect(workflows).toEqual(expect.arrayContaining(["service-image.yml", "pr-infra.yml", "deploy.yml"]));
  });

  it.each(workflows)("%s pins every action by full commit SHA with its release in a comment", (file) => {
    const uses = readFileSync(join(WORKFLOWS, file), "utf8")
      .split("\n")
      .filter((l) => /^\s*-?\s*uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      // Local actions (./path) are versioned with the repository itself.
      if (/uses:\s*\.\//.test(line)) continue;
      expect(line, "uses: owner/repo@<40-hex commit> # vX.Y.Z").toMatch(PINNED_USES);
    }
  });
});

failWhenMissingInCi("actionlint", actionlintMissing);

describe.skipIf(!ACTIONLINT || actionlintMissing !== undefined)("actionlint with ShellCheck", () => {
  const scratch = mkdtempSync(join(tmpdir(), "actionlint-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** Writes `files` into a scratch repository's .github/workflows and lints them there. */
  function lintCopies(name: string, files: Record<string, string>) {
    const dir = join(scratch, name);
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, ".github", "workflows", f), text);
    return actionlint(
      Object.keys(files).map((f) => join(".github", "workflows", f)),
      dir,
    );
  }

  it("finds nothing in the repository's workflows", () => {
    const r = actionlint(
      workflows.map((f) => join(".github", "workflows", f)),
      ROOT,
    );
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("finds nothing with the actions at their major tags (every with: key is an input of the action)", () => {
    const r = lintCopies(
      "major-tags",
      Object.fromEntries(workflows.map((f) => [f, withMajorTags(readFileSync(join(WORKFLOWS, f), "utf8"))])),
    );
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("fails on a misspelled action input, an untrusted expression in a script and a ShellCheck finding", () => {
    const bad = [
      "on: pull_request",
      "permissions: {}",
      "jobs:",
      "  x:",
      "    runs-on: ubuntu-24.04",
      "    steps:",
      "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0",
      "        with:",
      "          persist-credential: false",
      `      - run: echo "${gh("github.event.pull_request.title")}"`,
      "      - run: rm -rf $TARGET/build",
      "",
    ].join("\n");
    const r = lintCopies("bad", { "bad.yml": withMajorTags(bad) });
    expect(r.status).toBe(1);
    expect(r.output).toContain('input "persist-credential" is not defined in action "actions/checkout@v5"');
    expect(r.output).toMatch(/"github\.event\.pull_request\.title" is potentially untrusted/);
    expect(r.output).toMatch(/SC2086/);
  });
});
