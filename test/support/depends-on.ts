import { expect } from "vitest";
import { resourcesOf, type SynthJson } from "./synth";

/** A set of resources of one type, by logical id pattern. */
export interface ResourceMatch {
  readonly type: string;
  readonly id?: RegExp;
}

const addresses = (json: SynthJson, m: ResourceMatch): string[] =>
  Object.keys(resourcesOf(json, m.type))
    .filter((id) => !m.id || m.id.test(id))
    .map((id) => `${m.type}.${id}`);

/**
 * Asserts that every `from` resource orders itself after every `to` resource through `depends_on`, and that the
 * edge is needed: no attribute of `from` references `to` (Terraform would infer that edge already). Names the
 * pair that lacks it. Returns how many edges were checked, so a caller can insist on some.
 */
export function expectDependsOn(json: SynthJson, from: ResourceMatch, to: ResourceMatch): number {
  const sources = addresses(json, from);
  const targets = addresses(json, to);
  expect(sources.length, `no ${from.type} matching ${from.id ?? "any id"}`).toBeGreaterThan(0);
  expect(targets.length, `no ${to.type} matching ${to.id ?? "any id"}`).toBeGreaterThan(0);
  const missing: string[] = [];
  for (const source of sources) {
    const { depends_on: dependsOn = [], ...body } = resourcesOf(json, from.type)[
      source.slice(from.type.length + 1)
    ] as { depends_on?: string[] };
    const text = JSON.stringify(body);
    for (const target of targets) {
      expect(text.includes(`\${${target}.`), `${source} already references ${target}`).toBe(false);
      if (!dependsOn.includes(target)) missing.push(`${source} -> ${target}`);
    }
  }
  expect(missing, `depends_on edges missing:\n${missing.join("\n")}`).toEqual([]);
  return sources.length * targets.length;
}
