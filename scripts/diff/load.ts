import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { deployOrder, readStacks } from "../stacks/manifest";
import type { Entry, Json, JsonObject, PolicyFinding, Snapshot, StackSnapshot } from "./model";

/**
 * Reads a synthesized app (`cdktf.out`: manifest.json and each stack's cdk.tf.json) into a `Snapshot`. Absolute
 * paths of the tree and the output directory (`replace`) become `<tree>`, so the same code synthesized in two
 * places reads the same.
 */
export function loadSynthDir(dir: string, replace: readonly string[] = []): Snapshot {
  if (!existsSync(join(dir, "manifest.json")))
    throw new InputError(`${dir} holds no synthesized app (no manifest.json)`);
  const stacks = deployOrder(readStacks(dir)).map((info) => {
    let text = readFileSync(join(dir, info.synthesizedStackPath), "utf8");
    for (const r of replace.filter(Boolean)) text = text.split(r).join("<tree>");
    return stackSnapshot(info.name, JSON.parse(text) as JsonObject);
  });
  return { stacks, findings: readFindings(dir) };
}

/** A problem with the diff's input (a ref, a file, a synth): exit status 2. */
export class InputError extends Error {}

/** Terraform JSON of one stack → its entries by address. */
export function stackSnapshot(name: string, json: JsonObject): StackSnapshot {
  const entries = new Map<string, Entry>();
  const add = (e: Entry) => entries.set(e.address, e);
  for (const [mode, prefix] of [
    ["managed", ""],
    ["data", "data."],
  ] as const) {
    const blocks = (mode === "managed" ? json.resource : json.data) as Record<string, JsonObject> | undefined;
    for (const [type, byId] of Object.entries(blocks ?? {})) {
      for (const [id, raw] of Object.entries(byId)) {
        const { "//": meta, ...attrs } = raw as JsonObject;
        const path = (meta as { metadata?: { path?: string } } | undefined)?.metadata?.path;
        add({ address: `${prefix}${type}.${id}`, type, mode, path, attrs: normalize(type, attrs) });
      }
    }
  }
  for (const [mode, block] of [
    ["output", json.output],
    ["variable", json.variable],
  ] as const) {
    for (const [id, raw] of Object.entries((block ?? {}) as Record<string, JsonObject>)) {
      const { "//": _meta, ...attrs } = raw;
      add({ address: `${mode}.${id}`, type: mode, mode, attrs, sensitive: attrs.sensitive === true });
    }
  }
  const moved = new Map<string, string>();
  for (const m of (json.moved ?? []) as { from?: string; to?: string }[]) {
    if (m.from && m.to) moved.set(m.from, m.to);
  }
  return { name, entries, moved };
}

/**
 * Attributes as a reviewer reads them: a JSON document held in a string (IAM policies, bucket policies) is
 * parsed, so a change shows as `policy.Statement[0].Action`, not as one long string; Helm values (YAML strings)
 * likewise (`values[0].image.tag`). Anything that does not parse stays a string.
 */
function normalize(type: string, attrs: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (type === "helm_release" && k === "values" && Array.isArray(v))
      out[k] = v.map((y) => (typeof y === "string" ? parseYamlOr(y) : y));
    else out[k] = parseJsonStrings(v);
  }
  return out;
}

function parseJsonStrings(v: Json): Json {
  if (typeof v === "string") {
    const t = v.trim();
    if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
      try {
        return JSON.parse(t) as Json;
      } catch {
        return v;
      }
    }
    return v;
  }
  if (Array.isArray(v)) return v.map(parseJsonStrings);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, parseJsonStrings(x)]));
  return v;
}

function parseYamlOr(text: string): Json {
  try {
    const parsed = parseYaml(text) as Json;
    return parsed === undefined ? text : parsed;
  } catch {
    return text;
  }
}

/**
 * The rule pack's findings as the synth recorded them: every finding is an annotation of its construct in
 * manifest.json, `[RULE-ID] message: detail`, at level error/warn/info; a suppressed one is info and ends with
 * `(suppressed: reason)`. Error-level findings stop the synth, so only warnings, info and suppressions appear.
 */
export function readFindings(dir: string): PolicyFinding[] {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
    stacks?: Record<string, { annotations?: { constructPath?: string; level?: string; message?: string }[] }>;
  };
  const findings = new Map<string, PolicyFinding>();
  for (const stack of Object.values(manifest.stacks ?? {})) {
    for (const a of stack.annotations ?? []) {
      const m = /^\[(MLOPS-[A-Z0-9]+-\d{3})\] ([\s\S]*?)(?: \(suppressed: ([\s\S]*)\))?$/.exec(
        a.message ?? "",
      );
      if (!m) continue;
      const level = a.level?.endsWith("error") ? "error" : a.level?.endsWith("warn") ? "warning" : "info";
      const f: PolicyFinding = {
        ruleId: m[1],
        level,
        path: a.constructPath ?? "",
        message: m[2],
        ...(m[3] ? { suppressed: m[3] } : {}),
      };
      findings.set(findingKey(f), f);
    }
  }
  return [...findings.values()].sort((a, b) => cmp(findingKey(a), findingKey(b)));
}

export const findingKey = (f: PolicyFinding) =>
  `${f.ruleId}|${f.path}|${f.level}|${f.message}|${f.suppressed ?? ""}`;

export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
