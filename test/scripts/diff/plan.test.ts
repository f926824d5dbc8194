import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { describe, expect, it } from "vitest";
import { reportJson } from "../../../scripts/diff/cli";
import { renderMarkdown } from "../../../scripts/diff/markdown";
import type { DiffReport, Section } from "../../../scripts/diff/model";
import { planSection } from "../../../scripts/diff/plan";
import { diffSection } from "../../../scripts/diff/report";
import { failWhenMissingInCi } from "../../support/ci";
import { findTerraform } from "../../support/terraform";
import { oneStack } from "./support";

/**
 * The plan summary: fixtures/plan/plan.json is `terraform show -json` of a real plan (Terraform 1.11.4,
 * make.sh: before.tf applied, after.tf planned; terraform_data only, no provider, no cloud). It goes through
 * the same analysis and renderer as the offline diff.
 */
const FIXTURE = join(import.meta.dirname, "fixtures", "plan");
const section = planSection([`demo-dev-foundation=${join(FIXTURE, "plan.json")}`]);
const report = (s: Section): DiffReport => ({
  format: "mlops-kit-diff/1",
  base: "main",
  head: "pr",
  sections: [s],
});

/** What the summary says per change, for comparing two plans. */
const summary = (s: Section) =>
  s.stacks.flatMap((st) =>
    st.changes.map((c) => ({
      address: c.address,
      action: c.action,
      from: c.from,
      forcing: c.attributes.filter((a) => a.forcesReplacement).map((a) => a.path),
    })),
  );

describe("a saved plan's JSON", () => {
  it("takes each action from the plan: replace, update, move, delete, create", () => {
    expect(summary(section)).toEqual([
      { address: "output.endpoint", action: "update", from: undefined, forcing: [] },
      {
        address: "terraform_data.bucket",
        action: "replace",
        from: undefined,
        forcing: ["triggers_replace[0]"],
      },
      { address: "terraform_data.db_password", action: "update", from: undefined, forcing: [] },
      { address: "terraform_data.new_name", action: "move", from: "terraform_data.old_name", forcing: [] },
      { address: "terraform_data.queue", action: "delete", from: undefined, forcing: [] },
      { address: "terraform_data.topic", action: "create", from: undefined, forcing: [] },
    ]);
  });

  it("shows values known only after apply as such, and a declared move without a block to add", () => {
    const [stack] = section.stacks;
    const output = stack.changes.find((c) => c.address === "output.endpoint");
    expect(output?.attributes).toEqual([{ path: "value", before: '"jobs"', after: "(known after apply)" }]);
    const moved = stack.changes.find((c) => c.action === "move");
    expect(moved?.movedBlock).toBeUndefined();
  });

  it("redacts what the plan marks sensitive, in the comment and the JSON", () => {
    const db = section.stacks[0].changes.find((c) => c.address === "terraform_data.db_password");
    expect(db?.attributes.find((a) => a.path === "input")).toEqual({
      path: "input",
      before: "(redacted)",
      after: "(redacted, changed)",
    });
    const out = renderMarkdown(report(section)) + reportJson(report(section), false);
    expect(out).not.toMatch(/p4ss/);
  });

  it("renders in the same shape as the offline diff: summary table first, one <details> per stack", () => {
    const offline = diffSection(
      "default",
      oneStack(() => {}),
      oneStack((s) => {
        new SqsQueue(s, "Jobs", { name: "jobs" });
      }),
    );
    const shape = (md: string) =>
      md
        .split("\n")
        .filter((l) => /^(<!--|## |\| stack |<details>|<\/details>)/.test(l))
        .map((l) => l.replace(/<b>.*<\/b>.*$/, "<b>…").replace(/`.*`/g, "`…`"));
    expect(shape(renderMarkdown(report(section)))).toEqual(shape(renderMarkdown(report(offline))));
  });

  it("fails when the file is not a plan (exit 2 through the CLI's input error)", () => {
    expect(() => planSection([join(FIXTURE, "before.tf")])).toThrow(/not readable JSON/);
    expect(() => planSection([join(import.meta.dirname, "..", "..", "..", "package.json")])).toThrow(
      /expected format_version 1\.x/,
    );
  });
});

const tf = findTerraform();
const missing = "missing" in tf ? tf.missing : undefined;
failWhenMissingInCi("plan fixture regenerated with a real Terraform", missing);

describe.skipIf(missing)("the fixture against a fresh plan of the same change", () => {
  it("summarizes to the same changes", () => {
    const work = mkdtempSync(join(tmpdir(), "mlops-plan-"));
    try {
      const fresh = join(work, "plan.json");
      const run = spawnSync("bash", [join(FIXTURE, "make.sh"), "bin" in tf ? tf.bin : "terraform", fresh], {
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(summary(planSection([`demo-dev-foundation=${fresh}`]))).toEqual(summary(section));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
});
