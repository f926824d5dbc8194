import type { z } from "zod";
import { describeIssues } from "../primitives";
import type { AddOn } from "./addon";

/** An add-on's section of the platform configuration: `addons.<key>`, validated by `schema`. */
export interface AddOnConfigSection<K extends string = string, S extends z.ZodType = z.ZodType> {
  /** Key under `addons` (camelCase, e.g. `kubeflowPipelines`). */
  readonly key: K;
  /** The add-on's name in error messages ("invalid <title> configuration"). */
  readonly title: string;
  /** Schema of the section; its `enabled` (false by default) switches the add-on on. */
  readonly schema: S;
}

/** Declares a section, keeping its key's literal type (the platform schema is typed by key). */
export function addOnConfigSection<const K extends string, S extends z.ZodType>(
  section: AddOnConfigSection<K, S>,
): AddOnConfigSection<K, S> {
  return section;
}

/**
 * Parses a section given in code (e.g. `kafkaAddOn({ mode: "msk" })`), with every problem named by its config
 * path (`addons.kafka.msk.brokerCount`) and the value found. The platform loader parses sections itself, once.
 */
export function parseAddOnConfig<S extends z.ZodType>(
  section: AddOnConfigSection<string, S>,
  input: unknown,
): z.output<S> {
  const result = section.schema.safeParse(input);
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues, input, section.schema as never);
  throw new Error(
    `invalid ${section.title} configuration: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems
      .map((p) => `  - addons.${section.key}${p.path ? `.${p.path}` : ""}: ${p.message}`)
      .join("\n")}`,
  );
}

/** What of the platform configuration decides which add-ons run (a `PlatformConfig` is one). */
export interface AddOnSelection {
  /** Parsed add-on sections by key. */
  readonly addons: Readonly<Record<string, unknown>>;
  /** The foundation's container repositories by name (`registry.repositories`). @default - none */
  readonly registry?: { readonly repositories: Readonly<Record<string, unknown>> };
  /** How nodes are added beyond the managed node groups. @default - no autoscaler add-on */
  readonly capacity?: { readonly autoscaler: "karpenter" | "none" };
  readonly nodePools: Readonly<
    Record<
      string,
      {
        readonly create: boolean;
        readonly gpu: boolean;
        /** Who launches the pool's nodes: an EKS managed node group, or Karpenter. @default "managed" */
        readonly provisioner?: "managed" | "karpenter";
        /**
         * The pool's own taints (a GPU pool's `nvidia.com/gpu` taint comes on top); the shape of cluster's
         * `NodeTaint`, written out because core does not import cluster. @default []
         */
        readonly taints?: readonly {
          readonly key: string;
          readonly value?: string;
          readonly effect: "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE";
        }[];
      }
    >
  >;
}

/**
 * One add-on, declared once: the platform configuration schema gets `addons.<config.key>` from it, the blueprint
 * creates the add-on from the parsed section, and the dependencies the add-on declares (`AddOn.dependsOn`) are
 * checked against the configuration before anything is built.
 */
export interface AddOnDefinition<
  S extends AddOnConfigSection = AddOnConfigSection,
  A extends AddOn<unknown> = AddOn<unknown>,
> {
  /** The id of the add-on `create` returns (its construct scope). */
  readonly id: string;
  /** Its configuration section. @default - none: an add-on the platform derives (see `enabled`) */
  readonly config?: S;
  /**
   * Whether the platform runs it, for add-ons derived from other settings (e.g. GPU pools). With a section, it
   * decides only while the section leaves `enabled` unset (an add-on another one needs, e.g. cert-manager for
   * KServe); an explicit `enabled` wins.
   * @default - the section's `enabled` (off when unset); always, for an add-on without a section
   */
  enabled?(platform: AddOnSelection): boolean;
  /**
   * Builds the add-on from its already parsed section (`undefined` without a section); no second parse. The
   * whole selection is passed too, for an add-on whose defaults follow another's section (the monitoring
   * rules watch the Kafka add-on's consumer groups).
   */
  create(config: z.output<S["schema"]>, platform?: AddOnSelection): A;
  /**
   * Says, in the user's terms, why a dependency that is switched off is needed (path relative to `addons`).
   * @default - the dependency's `enabled` is reported, with the dependents
   */
  dependencyProblem?(
    dependency: string,
    config: z.output<S["schema"]>,
  ): { readonly path: readonly (string | number)[]; readonly message: string } | undefined;
  /**
   * Problems of the section against the rest of the platform (e.g. a node pool it names but the configuration
   * does not create), reported with the configuration's other problems; paths relative to `addons`.
   * @default - none
   */
  platformProblems?(
    config: z.output<S["schema"]>,
    platform: AddOnSelection,
  ): readonly { readonly path: readonly (string | number)[]; readonly message: string }[];
}

/** A definition with the add-on it creates for a configuration. */
export interface SelectedAddOn {
  readonly definition: AddOnDefinition;
  readonly config: unknown;
  readonly addOn: AddOn<unknown>;
}

/** The add-ons a parsed configuration runs, in registry order, each created from its own section. */
export function selectAddOns(
  definitions: readonly AddOnDefinition[],
  platform: AddOnSelection,
): SelectedAddOn[] {
  return definitions.flatMap((definition) => {
    const config = definition.config ? platform.addons[definition.config.key] : undefined;
    const explicit = definition.config ? (config as { enabled?: boolean } | undefined)?.enabled : undefined;
    const on = explicit ?? definition.enabled?.(platform) ?? !definition.config;
    if (!on) return [];
    const addOn = definition.create(config, platform);
    if (addOn.id !== definition.id) {
      throw new Error(
        `add-on definition ${JSON.stringify(definition.id)} created an add-on with id ${JSON.stringify(addOn.id)}; they must match`,
      );
    }
    return [{ definition, config, addOn }];
  });
}
