/**
 * Per-team review requests (.github/scripts/route-reviewers.cjs), as the pull-request workflow's comment job runs
 * them: the routing `npm run codeowners -- --routing` writes for a configuration with teams, a diff report of
 * the offline diff's format, and a stand-in for GitHub's request-reviewers call.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { codeownersMain } from "../../../scripts/codeowners";
import type { DiffReport } from "../../../scripts/diff/model";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const require = createRequire(import.meta.url);
interface Route {
  team: string;
  reviewers: string[];
  stacks: string[];
}
interface Routing {
  format: string;
  teams: Route[];
}
type RouteReviewers = ((args: Record<string, unknown>) => Promise<{
  teams: string[];
  reviewers: string[];
  team_reviewers: string[];
}>) & { changedTeams: (r: Routing, d: DiffReport) => Route[] };
const route = require(join(ROOT, ".github", "scripts", "route-reviewers.cjs")) as RouteReviewers;

const work = mkdtempSync(join(tmpdir(), "route-reviewers-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The routing file for acme/dev with three teams, written by the real command. */
function routing(): Routing {
  writeFileSync(
    join(work, "platform.yaml"),
    stringify({
      name: "acme",
      environment: "dev",
      region: "eu-west-1",
      preset: "minimal",
      teams: {
        fraud: { reviewers: ["@acme/fraud-ml", "@alice"], environments: ["dev", "prod"] },
        risk: { reviewers: ["@bob", "@other-org/risk"] },
        sandbox: {},
      },
    }),
  );
  const out: string[] = [];
  const status = codeownersMain(["--config", "platform.yaml", "--routing", "out/teams.json"], work, {
    out: (t) => out.push(t),
    err: (t) => out.push(t),
    env: {},
  });
  expect(status, out.join("")).toBe(0);
  return JSON.parse(readFileSync(join(work, "out", "teams.json"), "utf8")) as Routing;
}

const change = (address: string) => ({
  address,
  type: "kubernetes_namespace_v1",
  mode: "managed" as const,
  action: "update" as const,
  attributes: [],
  flags: [],
});
const report = (stacks: Record<string, number>): DiffReport => ({
  format: "mlops-kit-diff/1",
  base: "main",
  head: "working tree",
  sections: [
    {
      title: "default",
      source: "synth",
      notes: [],
      stacks: Object.entries(stacks).map(([name, n]) => ({
        name,
        changes: Array.from({ length: n }, (_, i) => change(`kubernetes_namespace_v1.n${i}`)),
      })),
    },
  ],
});

function fakeGitHub(fail?: string) {
  const calls: unknown[] = [];
  const warnings: string[] = [];
  return {
    calls,
    warnings,
    args: {
      github: {
        rest: {
          pulls: {
            requestReviewers: async (p: unknown) => {
              calls.push(p);
              if (fail) throw new Error(fail);
            },
          },
        },
      },
      context: {
        repo: { owner: "acme", repo: "platform" },
        issue: { number: 42 },
        payload: { pull_request: { user: { login: "alice" } } },
      },
      core: { info: () => {}, warning: (m: string) => warnings.push(m) },
    },
  };
}

describe("per-team review requests", () => {
  it("routes each team to the stacks of its environments, named as the team stacks are", () => {
    expect(routing()).toEqual({
      format: "mlops-kit-team-routing/1",
      teams: [
        {
          team: "fraud",
          reviewers: ["@acme/fraud-ml", "@alice"],
          sources: ["platform.yaml"],
          stacks: ["acme-dev-team-fraud-dev", "acme-dev-team-fraud-prod"],
        },
        {
          team: "risk",
          reviewers: ["@bob", "@other-org/risk"],
          sources: ["platform.yaml"],
          stacks: ["acme-dev-team-risk-dev"],
        },
        { team: "sandbox", reviewers: [], sources: ["platform.yaml"], stacks: ["acme-dev-team-sandbox-dev"] },
      ],
    });
  });

  it("asks the reviewers of the teams whose stacks change, not the others, nor the author", async () => {
    const gh = fakeGitHub();
    const r = await route({
      ...gh.args,
      routing: routing(),
      report: report({ "acme-dev-platform": 3, "acme-dev-team-fraud-prod": 1, "acme-dev-team-risk-dev": 0 }),
    });
    expect(r.teams).toEqual(["fraud"]);
    expect(gh.calls).toEqual([
      { owner: "acme", repo: "platform", pull_number: 42, reviewers: [], team_reviewers: ["fraud-ml"] },
    ]);
  });

  it("asks people directly and skips another organization's team with a warning", async () => {
    const gh = fakeGitHub();
    await route({ ...gh.args, routing: routing(), report: report({ "acme-dev-team-risk-dev": 2 }) });
    expect(gh.calls).toEqual([
      { owner: "acme", repo: "platform", pull_number: 42, reviewers: ["bob"], team_reviewers: [] },
    ]);
    expect(gh.warnings).toEqual(["@other-org/risk is a team of another organization: not requested"]);
  });

  it("asks nobody when no team stack changes, or a changed team has no reviewers", async () => {
    const gh = fakeGitHub();
    expect(
      (await route({ ...gh.args, routing: routing(), report: report({ "acme-dev-platform": 5 }) })).teams,
    ).toEqual([]);
    await route({ ...gh.args, routing: routing(), report: report({ "acme-dev-team-sandbox-dev": 1 }) });
    expect(gh.calls).toEqual([]);
  });

  it("keeps going with a warning when GitHub refuses the request (a team the token cannot see)", async () => {
    const gh = fakeGitHub("Reviews may only be requested from collaborators");
    const r = await route({
      ...gh.args,
      routing: routing(),
      report: report({ "acme-dev-team-fraud-dev": 1 }),
    });
    expect(r.teams).toEqual(["fraud"]);
    expect(gh.warnings[0]).toContain("review request for teams fraud failed: Reviews may only be requested");
  });
});
