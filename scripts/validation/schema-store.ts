import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

/**
 * Upstream reference data (CRD JSON schemas, Helm chart values) lives beside the repository in
 * `../shared/schemas`; it is never copied into the repo. This module finds it and caches what it reads.
 */
export const SCHEMAS_DIR_ENV = "MLOPS_SCHEMAS_DIR";

export interface CrdEntry {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  /** Path relative to the schemas dir, e.g. `crds/kafka.strimzi.io/kafka_v1.json`. */
  readonly file: string;
  readonly source?: string;
  readonly deprecated?: boolean;
}

export interface ChartEntry {
  readonly name: string;
  readonly version: string;
  readonly repoUrl?: string;
  /** Path relative to the schemas dir, e.g. `charts/mlflow`. */
  readonly dir: string;
  readonly hasSchema: boolean;
  readonly hasValues: boolean;
  /** A values template in place of values.yaml (`charts/<name>/values.tmpl.yaml`), when the chart has one. */
  readonly valuesTemplate?: string;
}

interface IndexFile {
  crds: CrdEntry[];
  charts: ChartEntry[];
}

export interface SchemasLocation {
  /** Absolute path of the schemas dir, when found. */
  readonly dir?: string;
  /** Why the reference data is unavailable (names every place looked at). */
  readonly reason?: string;
  /** Every candidate that was tried, in order. */
  readonly tried: readonly string[];
}

// This file sits at <repo>/scripts/validation/, so the repo root is two levels up.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Finds the schemas dir: `$MLOPS_SCHEMAS_DIR`, else `../shared/schemas` from the repo root or the cwd. */
export function locateSchemas(env: NodeJS.ProcessEnv = process.env): SchemasLocation {
  const fromEnv = env[SCHEMAS_DIR_ENV];
  if (fromEnv) {
    const dir = resolve(fromEnv);
    // An explicit setting that points nowhere is a mistake, not a reason to fall back silently.
    if (!existsSync(join(dir, "index.json"))) {
      return { tried: [dir], reason: `${SCHEMAS_DIR_ENV}=${fromEnv} has no index.json (resolved to ${dir})` };
    }
    return { dir, tried: [dir] };
  }
  const tried = [
    ...new Set([join(REPO_ROOT, "..", "shared", "schemas"), resolve("..", "shared", "schemas")]),
  ];
  for (const candidate of tried) {
    if (isDir(candidate) && existsSync(join(candidate, "index.json"))) return { dir: candidate, tried };
  }
  return {
    tried,
    reason: `no schemas dir with index.json at ${tried.join(" or ")}; set ${SCHEMAS_DIR_ENV} to the reference data dir`,
  };
}

/** Reads and caches the reference data of one schemas dir. */
export class SchemaStore {
  private index?: IndexFile;
  private readonly json = new Map<string, unknown>();
  private readonly yaml = new Map<string, unknown>();

  constructor(readonly dir: string) {}

  private readIndex(): IndexFile {
    if (!this.index) {
      const raw = JSON.parse(readFileSync(join(this.dir, "index.json"), "utf8")) as Partial<IndexFile>;
      this.index = { crds: raw.crds ?? [], charts: raw.charts ?? [] };
    }
    return this.index;
  }

  crds(): readonly CrdEntry[] {
    return this.readIndex().crds;
  }

  charts(): readonly ChartEntry[] {
    return this.readIndex().charts;
  }

  crd(group: string, version: string, kind: string): CrdEntry | undefined {
    return this.crds().find((c) => c.group === group && c.version === version && c.kind === kind);
  }

  /** Finds a chart by name; with several of the same name, the one whose repository matches wins. */
  chartByName(name: string, repository?: string): ChartEntry | undefined {
    const matches = this.charts().filter((c) => c.name === name);
    if (matches.length <= 1 || !repository) return matches[0];
    const norm = (u: string | undefined) => (u ?? "").replace(/\/+$/, "");
    return matches.find((c) => norm(c.repoUrl) === norm(repository)) ?? matches[0];
  }

  /** Resolves a chart dir given as `charts/<name>`, `<name>` or an absolute path. */
  chartPath(chartDir: string): string {
    if (chartDir.startsWith("/")) return chartDir;
    return join(this.dir, chartDir.startsWith("charts/") ? chartDir : join("charts", chartDir));
  }

  readJson(relOrAbs: string): unknown {
    const path = relOrAbs.startsWith("/") ? relOrAbs : join(this.dir, relOrAbs);
    let value = this.json.get(path);
    if (value === undefined) {
      value = JSON.parse(readFileSync(path, "utf8"));
      this.json.set(path, value);
    }
    return value;
  }

  readYaml(absPath: string): unknown {
    let value = this.yaml.get(absPath);
    if (value === undefined) {
      // Chart values files can be large (kube-prometheus-stack ~6k lines) and use many aliases.
      value = parseYaml(readFileSync(absPath, "utf8"), { maxAliasCount: -1 }) ?? {};
      this.yaml.set(absPath, value);
    }
    return value;
  }
}

let cached: { key: string; store?: SchemaStore; location: SchemasLocation } | undefined;

function current(): { store?: SchemaStore; location: SchemasLocation } {
  const key = `${process.env[SCHEMAS_DIR_ENV] ?? ""}|${process.cwd()}`;
  if (!cached || cached.key !== key) {
    const location = locateSchemas();
    cached = { key, location, store: location.dir ? new SchemaStore(location.dir) : undefined };
  }
  return cached;
}

/** True when the reference data dir was found. */
export function schemasAvailable(): boolean {
  return current().store !== undefined;
}

/** Where the data is, or why it is not available. */
export function schemasLocation(): SchemasLocation {
  return current().location;
}

/** The shared store; throws with the reason when the reference data is absent. */
export function schemaStore(): SchemaStore {
  const { store, location } = current();
  if (!store) throw new Error(`Kubernetes reference schemas unavailable: ${location.reason}`);
  return store;
}
