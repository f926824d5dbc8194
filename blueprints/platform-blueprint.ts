import type { App } from "cdktf";
import type { PlatformOptions } from "../config/loader";
import type { PlatformConfig } from "../config/schema";
import { teamEnvironments } from "../config/teams";
import { applyPlatformRulePack, type RulePack } from "../constructs/policy/rule-pack";
import { FoundationStack } from "../stacks/foundation-stack";
import { stackName, teamEnvironmentStackName } from "../stacks/naming";
import { PlatformStack } from "../stacks/platform-stack";
import { TeamEnvironmentStack } from "../stacks/team-stack";
import { platformAddOns } from "./platform-addons";

export interface PlatformBlueprint {
  readonly foundation: FoundationStack;
  readonly platform: PlatformStack;
  /** One stack per team environment (`teams.<name>.environments`), in configuration order. */
  readonly teams: readonly TeamEnvironmentStack[];
  /** The security rule pack applied to every stack; its findings fail synthesis at error level. */
  readonly policy: RulePack;
  /** Lines for the synth summary (e.g. what was left out and why). */
  readonly notes: string[];
}

/**
 * Turns one validated configuration into the platform's stacks: `<name>-<env>-foundation` (AWS base),
 * `<name>-<env>-platform` (add-ons in the cluster) and, when an add-on emits custom resources,
 * `<name>-<env>-resources`. Teams composing their own apps call this with their own `App`; `options.addOns`
 * adds their own add-ons (the same options the configuration was parsed with).
 */
export function buildPlatform(
  app: App,
  config: PlatformConfig,
  options: PlatformOptions = {},
): PlatformBlueprint {
  const foundation = new FoundationStack(app, stackName(config, "foundation"), { config });
  const addOns = platformAddOns(config, options);
  const platform = new PlatformStack(app, stackName(config, "platform"), { config, foundation, addOns });
  platform.addDependency(foundation);
  // Each team environment reads the deployed platform by name, so it is planned after the platform's stacks.
  const teams = teamEnvironments(config.teams).map(({ team, environment }) => {
    const stack = new TeamEnvironmentStack(app, teamEnvironmentStackName(config, team, environment), {
      config,
      team,
      environment,
    });
    stack.addDependency(platform);
    if (platform.resources) stack.addDependency(platform.resources);
    return stack;
  });
  // A team's first environment holds what the team has once (access entries, budget, Glue database).
  for (const stack of teams) {
    const first = teams.find((t) => t.team === stack.team);
    if (first && first !== stack) stack.addDependency(first);
  }
  const notes = [`Add-ons: ${addOns.map((a) => a.id).join(", ") || "none"}`];
  if (teams.length > 0) notes.push(`Teams: ${teams.map((t) => `${t.team}/${t.environment}`).join(", ")}`);
  if (config.sandbox) notes.push("Sandbox: prevent_destroy is off for stateful resources");
  // Applied last, so every stack (including a resources stack created by add-ons) gets the rules.
  const policy = applyPlatformRulePack(app, config);
  return { foundation, platform, teams, policy, notes };
}
