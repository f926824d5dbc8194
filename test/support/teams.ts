import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { type SynthesizedPlatform, synthPlatform } from "./platform";
import type { SynthJson } from "./synth";

/** examples/configs/teams.yaml: teams fraud (dev, prod; mlflow, kafka, serving; GPUs) and risk (dev; mlflow). */
export function teamsExample(): Record<string, unknown> {
  return parse(
    readFileSync(join(import.meta.dirname, "..", "..", "examples", "configs", "teams.yaml"), "utf8"),
  ) as Record<string, unknown>;
}

let cached: SynthesizedPlatform | undefined;
/** The two-team example synthesized once per test file. */
export function synthTeamsExample(): SynthesizedPlatform {
  cached ??= synthPlatform(teamsExample());
  return cached;
}

/** A Kubernetes object of the provider's typed resources, as synthesized. */
export interface KubeObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Resources of one type in a stack, by their `metadata.name` (and namespace, when two share a name). */
export function objectsOf(stack: SynthJson, type: string): KubeObject[] {
  return Object.values(stack.resource?.[type] ?? {}) as unknown as KubeObject[];
}
