import { z } from "zod";
import { PLATFORM_ADD_ONS } from "../constructs/addons";
import {
  type AddOnConfigSection,
  type AddOnDefinition,
  type AddOnSelection,
  selectAddOns,
} from "../constructs/core/addon-definition";

type SectionOf<D> = D extends { readonly config: infer S extends AddOnConfigSection } ? S : never;

/** `addons.<key>` of every definition with a section, typed by key. */
export type AddOnsShape<D extends readonly AddOnDefinition[]> = {
  [S in SectionOf<D[number]> as S["key"]]: z.ZodPrefault<S["schema"]>;
};

/**
 * The `addons` object, assembled from add-on definitions: each section is its add-on's own schema, defaulting
 * to `{}` so the add-on's defaults fill it in. Ids and keys must be unique.
 */
export function addOnsSchema<const D extends readonly AddOnDefinition[]>(definitions: D) {
  const shape: Record<string, z.ZodType> = {};
  const ids = new Set<string>();
  for (const d of definitions) {
    if (ids.has(d.id)) throw new Error(`add-on id ${JSON.stringify(d.id)} is registered twice`);
    ids.add(d.id);
    if (!d.config) continue;
    if (shape[d.config.key]) throw new Error(`addons.${d.config.key} is registered by two add-ons`);
    shape[d.config.key] = d.config.schema.prefault({});
  }
  return z
    .strictObject(shape as AddOnsShape<D>)
    .describe("Platform services (add-ons), each with `enabled`.");
}

export const AddOnsSchema = addOnsSchema(PLATFORM_ADD_ONS);
export type AddOnsConfig = z.output<typeof AddOnsSchema>;

/** Reports `addOnDependencyProblems` as issues of the platform configuration. */
export function checkAddOnDependencies(
  definitions: readonly AddOnDefinition[],
  platform: AddOnSelection,
  ctx: z.RefinementCtx,
): void {
  for (const p of addOnDependencyProblems(definitions, platform)) {
    ctx.addIssue({
      code: "custom",
      path: ["addons", ...p.path],
      message: p.message,
      params: { formatted: true },
    });
  }
}

/** A problem with the add-on selection; the path is relative to `addons`. */
export interface AddOnProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Dependencies the configuration leaves switched off. They come from the add-ons themselves (`dependsOn` of
 * what each definition creates from its section), so no second list can drift from what deploys. With them,
 * each running add-on's own `platformProblems` (its section against the rest of the platform).
 */
export function addOnDependencyProblems(
  definitions: readonly AddOnDefinition[],
  platform: AddOnSelection,
): AddOnProblem[] {
  const selected = selectAddOns(definitions, platform);
  const running = new Set(selected.map((s) => s.addOn.id));
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const problems: AddOnProblem[] = [];
  const dependents = new Map<string, string[]>();
  for (const { definition, config, addOn } of selected) {
    const name = definition.config?.key ?? definition.id;
    problems.push(...(definition.platformProblems?.(config, platform) ?? []));
    for (const dependency of addOn.dependsOn ?? []) {
      if (running.has(dependency)) continue;
      const explained = definition.dependencyProblem?.(dependency, config);
      const section = byId.get(dependency)?.config;
      if (explained) problems.push(explained);
      else if (section) dependents.set(dependency, [...(dependents.get(dependency) ?? []), name]);
      else {
        problems.push({
          path: [name, "enabled"],
          message: `got true; ${name} depends on add-on ${JSON.stringify(dependency)}, which ${byId.has(dependency) ? "this platform does not run" : "no registered add-on provides"}`,
        });
      }
    }
  }
  for (const [dependency, names] of dependents) {
    const section = byId.get(dependency)?.config as AddOnConfigSection;
    const what = section.schema.description?.replace(/\.$/, "");
    problems.push({
      path: [section.key, "enabled"],
      message: `got false; ${names.join(", ")} depend${names.length === 1 ? "s" : ""} on it${what ? ` (${what})` : ""}: set addons.${section.key}.enabled: true`,
    });
  }
  return problems;
}
