import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { buildPlatform, type PlatformBlueprint } from "../../blueprints/platform-blueprint";
import { parsePlatformConfig } from "../../config/loader";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import type { SynthJson } from "./synth";

export interface SynthesizedPlatform {
  readonly blueprint: PlatformBlueprint;
  readonly foundation: SynthJson;
  readonly platform: SynthJson;
  readonly resources?: SynthJson;
  /** Every synthesized stack by name. */
  readonly stacks: Readonly<Record<string, SynthJson>>;
  readonly outdir: string;
}

/**
 * Builds the platform for a configuration document (default: the embedded default) and synthesizes the whole app,
 * so cross-stack references become the outputs and remote-state reads Terraform will see.
 */
export function synthPlatform(doc: unknown = EMBEDDED_DEFAULT): SynthesizedPlatform {
  const app = Testing.app();
  const blueprint = buildPlatform(app, parsePlatformConfig(doc, "test"));
  app.synth();
  const read = (name: string) =>
    JSON.parse(readFileSync(join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8")) as SynthJson;
  const manifest = JSON.parse(readFileSync(join(app.outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, unknown>;
  };
  const stacks = Object.fromEntries(Object.keys(manifest.stacks).map((name) => [name, read(name)]));
  const resources = blueprint.platform.resources;
  return {
    blueprint,
    foundation: stacks[blueprint.foundation.node.id],
    platform: stacks[blueprint.platform.node.id],
    resources: resources ? stacks[resources.node.id] : undefined,
    stacks,
    outdir: app.outdir,
  };
}
