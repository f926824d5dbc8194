import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { PLATFORM_ADD_ONS } from "../constructs/addons";
import type { AddOnDefinition } from "../constructs/core/addon-definition";
import { deepMerge } from "../constructs/core/merge";
import { ConfigError, describeIssues, show } from "../constructs/primitives";
import { type AddOnsSchema, addOnsSchema } from "./addons";
import { EMBEDDED_DEFAULT, presetFragment } from "./presets";
import {
  checkPlatform,
  type PlatformConfig,
  PlatformConfigObject,
  PlatformConfigSchema,
  PRESETS,
} from "./schema";

/** Environment variable naming the configuration file. */
export const CONFIG_ENV_VAR = "MLOPS_CONFIG";

export interface LoadedConfig {
  readonly config: PlatformConfig;
  /** The file the config came from, or `embedded default`. */
  readonly source: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export { deepMerge };

/** How your own code extends the platform; pass the same options to the loader and to `buildPlatform`. */
export interface PlatformOptions {
  /** Add-ons beyond the kit's own, each with its `addons.<key>` section. @default [] */
  readonly addOns?: readonly AddOnDefinition[];
}

/** Every add-on definition the options make part of the platform: the kit's, then yours. */
export function platformAddOnDefinitions(options: PlatformOptions = {}): readonly AddOnDefinition[] {
  return [...PLATFORM_ADD_ONS, ...(options.addOns ?? [])];
}

/** The platform configuration schema, with your add-ons' sections under `addons` after the kit's. */
export function platformConfigSchema(options: PlatformOptions = {}): typeof PlatformConfigSchema {
  if (!options.addOns?.length) return PlatformConfigSchema;
  const all = platformAddOnDefinitions(options);
  return PlatformConfigObject.extend({
    addons: (addOnsSchema(all) as unknown as typeof AddOnsSchema).prefault({}),
  }).superRefine(checkPlatform(all)) as unknown as typeof PlatformConfigSchema;
}

/** Applies the document's preset (if any) and validates; throws ConfigError listing every problem. */
export function parsePlatformConfig(
  raw: unknown,
  source = "inline",
  options: PlatformOptions = {},
): PlatformConfig {
  if (!isPlainObject(raw)) {
    throw new ConfigError(source, [
      { path: "", message: `got ${show(raw)}; expected a mapping of settings` },
    ]);
  }
  let doc: unknown = raw;
  const preset = raw.preset;
  if (preset !== undefined) {
    if (typeof preset !== "string" || !(PRESETS as readonly string[]).includes(preset)) {
      throw new ConfigError(source, [
        {
          path: "preset",
          message: `got ${show(preset)}; expected one of ${PRESETS.map((p) => `"${p}"`).join(", ")}`,
        },
      ]);
    }
    // The preset's pools follow the autoscaler the file chooses (Karpenter pools, or managed node groups).
    const capacity = isPlainObject(raw.capacity) ? raw.capacity : {};
    const autoscaler = capacity.autoscaler === "none" ? "none" : "karpenter";
    doc = deepMerge(presetFragment(preset as (typeof PRESETS)[number], autoscaler), raw);
  }
  const schema = platformConfigSchema(options);
  const result = schema.safeParse(doc);
  if (!result.success) {
    throw new ConfigError(source, describeIssues(result.error.issues, doc, schema as never));
  }
  return result.data;
}

/** Reads a YAML or JSON file (JSON is YAML) and parses it as a platform configuration. */
export function loadConfigFile(path: string, options: PlatformOptions = {}): PlatformConfig {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new ConfigError(path, [
      { path: "", message: `file not found: ${abs} (set ${CONFIG_ENV_VAR} to a YAML or JSON file)` },
    ]);
  }
  const ext = extname(abs).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext)) {
    throw new ConfigError(path, [
      { path: "", message: `got extension ${show(ext)}; expected .yaml, .yml or .json` },
    ]);
  }
  const text = readFileSync(abs, "utf8");
  let raw: unknown;
  try {
    raw = ext === ".json" ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    const where =
      err instanceof YAMLParseError && err.linePos
        ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}`
        : "";
    const what = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ConfigError(path, [
      { path: "", message: `not valid ${ext === ".json" ? "JSON" : "YAML"}${where}: ${what}` },
    ]);
  }
  return parsePlatformConfig(raw ?? {}, path, options);
}

/** The configuration named by MLOPS_CONFIG, or the embedded default. */
export function loadPlatformConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: PlatformOptions = {},
): LoadedConfig {
  const file = env[CONFIG_ENV_VAR];
  if (file !== undefined && file.trim() !== "") {
    return { config: loadConfigFile(file, options), source: file };
  }
  const source = "embedded default";
  return { config: parsePlatformConfig(EMBEDDED_DEFAULT, source, options), source };
}
