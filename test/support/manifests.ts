import { resourcesOf, type SynthJson } from "./synth";

/** Synthesized JSON as tests read it: field by field, failing the assertion when a field is missing. */
// biome-ignore lint/suspicious/noExplicitAny: assertions navigate the synthesized JSON directly
export type Json = Record<string, any>;

/** The `manifest` of every `kubernetes_manifest`, optionally of one kind. */
export function manifests(json: SynthJson, kind?: string): Json[] {
  return Object.values(resourcesOf(json, "kubernetes_manifest"))
    .map((r) => r.manifest as Json)
    .filter((m) => kind === undefined || m.kind === kind);
}

/** The one manifest of `kind` named `name`; fails the test when there is not exactly one. */
export function manifestNamed(json: SynthJson, kind: string, name: string): Json {
  const found = manifests(json, kind).filter((m) => m.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0] as Json;
}

/** Resources of one Terraform type as a list. */
export function all(json: SynthJson, type: string): Json[] {
  return Object.values(resourcesOf(json, type)) as Json[];
}

/** The one typed Kubernetes resource of `type` whose metadata.name is `name`; fails the test otherwise. */
export function named(json: SynthJson, type: string, name: string): Json {
  const found = all(json, type).filter((r) => r.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0] as Json;
}
