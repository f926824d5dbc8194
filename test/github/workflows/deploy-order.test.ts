/**
 * What the deploy workflow and the review requests rely on, on the real app with the teams example
 * (examples/configs/teams.yaml): `npm run deploy` (scripts/stacks/main.ts) takes the stacks in deployOrder of the
 * synthesized manifest, which must be foundation, platform, resources, then the team stacks; and the routing
 * `npm run codeowners -- --routing` writes names exactly the team stacks the app synthesizes.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlatform } from "../../../blueprints/platform-blueprint";
import { loadConfigFile } from "../../../config";
import { codeownersMain } from "../../../scripts/codeowners";
import { deployOrder, readStacks } from "../../../scripts/stacks/manifest";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const CONFIG = "examples/configs/teams.yaml";
let outdir = "";

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "deploy-order-"));
  const app = new App({ outdir });
  buildPlatform(app, loadConfigFile(join(ROOT, CONFIG)));
  app.synth();
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("deploy order and team routing of the teams example", () => {
  it("deploys the foundation, the platform, the resources, then each team environment", () => {
    const order = deployOrder(readStacks(outdir)).map((s) => s.name);
    expect(order.slice(0, 3)).toEqual(["acme-dev-foundation", "acme-dev-platform", "acme-dev-resources"]);
    const teams = order.slice(3);
    expect(teams.length).toBeGreaterThan(1);
    for (const t of teams) expect(t).toMatch(/^acme-dev-team-[a-z0-9-]+$/);
  });

  it("routes reviews by exactly the team stacks the app synthesizes", () => {
    const out = mkdtempSync(join(tmpdir(), "routing-"));
    try {
      const io = { out: () => {}, err: (t: string) => process.stderr.write(t), env: {} };
      expect(codeownersMain(["--config", CONFIG, "--routing", join(out, "teams.json")], ROOT, io)).toBe(0);
      const routing = JSON.parse(readFileSync(join(out, "teams.json"), "utf8")) as {
        teams: { team: string; reviewers: string[]; stacks: string[] }[];
      };
      const synthesized = readStacks(outdir)
        .map((s) => s.name)
        .filter((n) => n.includes("-team-"))
        .sort();
      expect(routing.teams.flatMap((t) => t.stacks).sort()).toEqual(synthesized);
      expect(routing.teams.find((t) => t.team === "fraud")?.reviewers).toEqual(["@acme/fraud"]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
