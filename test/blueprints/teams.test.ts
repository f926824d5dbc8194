import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import { synthPlatform } from "../support/platform";
import { teamsExample } from "../support/teams";

/** Every stack's synthesized text, by name. */
function stackTexts(doc: unknown): Record<string, string> {
  const out = synthPlatform(doc);
  return Object.fromEntries(
    Object.keys(out.stacks).map((name) => [
      name,
      readFileSync(join(out.outdir, "stacks", name, "cdk.tf.json"), "utf8"),
    ]),
  );
}

const withTeams = (teams: Record<string, unknown>) => ({ ...teamsExample(), teams });

describe("adding or removing a team changes no other stack (N versus N+1 teams)", () => {
  const example = teamsExample();
  const teams = example.teams as Record<string, unknown>;
  const churn = {
    members: [{ arn: "arn:aws:iam::123456789012:role/churn-lead", access: "edit" }],
    services: ["kafka", "mlflow"],
    lake: { readWriteZones: ["raw"] },
    budget: { limitUsdPerMonth: 200, recipients: ["churn@example.com"] },
  };
  const n = stackTexts(example);
  const more = stackTexts(withTeams({ ...teams, churn }));
  const { risk: _removed, ...rest } = teams;
  const fewer = stackTexts(withTeams(rest));

  it("adds exactly the new team's stack and leaves every other stack byte-identical", () => {
    expect(Object.keys(more).sort()).toEqual([...Object.keys(n), "acme-dev-team-churn-dev"].sort());
    for (const name of Object.keys(n)) expect(more[name], name).toBe(n[name]);
  });

  it("removes exactly the removed team's stack and leaves every other stack byte-identical", () => {
    expect(Object.keys(fewer).sort()).toEqual(
      Object.keys(n)
        .filter((s) => s !== "acme-dev-team-risk-dev")
        .sort(),
    );
    for (const name of Object.keys(fewer)) expect(fewer[name], name).toBe(n[name]);
  });

  it("leaves the platform without teams identical to the platform with them (teams add stacks only)", () => {
    const none = stackTexts(withTeams({}));
    expect(Object.keys(none).some((s) => s.includes("-team-"))).toBe(false);
    for (const name of Object.keys(none)) expect(n[name], name).toBe(none[name]);
  });

  it("synthesizes no team stack for the embedded default", () => {
    expect(Object.keys(stackTexts(EMBEDDED_DEFAULT)).some((s) => s.includes("-team-"))).toBe(false);
  });
});
