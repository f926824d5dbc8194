/**
 * Every rule of every component through the real promtool: `check rules` parses each expression, `test rules`
 * evaluates one input that must fire the alert (labels and rendered annotations compared) and one that must not.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { platformRuleGroups, RULE_COMPONENTS } from "../../../../../constructs/addons/monitoring/rules";
import { describeWithPromtool, promtool } from "../../../../support/promtool";
import { RULE_CASES } from "./cases";
import { rulesFile, testFile } from "./render";

const groups = platformRuleGroups();

describe("rule cases", () => {
  it.each(RULE_COMPONENTS)(
    "%s: every alert has a firing and a quiet case, and no case lacks its alert",
    (c) => {
      const alerts = groups[c].flatMap((g) => g.rules.map((r) => r.alert)).sort();
      expect(Object.keys(RULE_CASES[c]).sort()).toEqual(alerts);
    },
  );
});

describeWithPromtool("alert rules under promtool", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "alert-rules-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(RULE_COMPONENTS)("%s", (component) => {
    const rules = `${component}.rules.yaml`;
    const tests = `${component}.test.yaml`;
    writeFileSync(path.join(dir, rules), rulesFile(groups[component]));
    writeFileSync(path.join(dir, tests), testFile(rules, groups[component], RULE_CASES[component]));

    it("passes promtool check rules", () => {
      const r = promtool(["check", "rules", rules], dir);
      expect(r.output).toContain("SUCCESS");
      expect(r.status, r.output).toBe(0);
    });

    it("passes promtool test rules (each alert fires on one input and stays quiet on another)", () => {
      const r = promtool(["test", "rules", tests], dir);
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain("SUCCESS");
    });

    it("fails when the cases are swapped (the tests can fail: every alert's two cases both fail)", () => {
      const swapped = Object.fromEntries(
        Object.entries(RULE_CASES[component]).map(([alert, c]) => [
          alert,
          { fires: { ...c.quiet, labels: c.fires.labels }, quiet: c.fires },
        ]),
      );
      const bad = `${component}.swapped.test.yaml`;
      writeFileSync(path.join(dir, bad), testFile(rules, groups[component], swapped));
      const r = promtool(["test", "rules", bad], dir);
      expect(r.status).not.toBe(0);
      const failed = r.output.match(/^\s+name: .+,$/gm) ?? [];
      expect(failed).toHaveLength(2 * Object.keys(swapped).length);
    });
  });
});
