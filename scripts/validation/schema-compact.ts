/**
 * Large CRD schemas (Argo Workflows ~2.8 MB, Seldon ~0.5 MB) repeat the same subschemas many times (every
 * container, volume, probe). Ajv generates code for each copy, so compiling takes seconds. Before compiling we
 * drop `description`s (not used for validation) and hoist repeated large subschemas into `definitions` behind a
 * `$ref`, which Ajv compiles once. Validation results are unchanged; only `schemaPath`s differ.
 */
type Schema = Record<string, unknown>;

const MAP_KEYWORDS = ["properties", "patternProperties", "definitions", "$defs"] as const;
const SCHEMA_KEYWORDS = [
  "additionalProperties",
  "items",
  "not",
  "additionalItems",
  "contains",
  "propertyNames",
] as const;
const ARRAY_KEYWORDS = ["anyOf", "allOf", "oneOf"] as const;

function isObj(v: unknown): v is Schema {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Applies `fn` to every direct subschema of `s`, replacing each with the result. */
function mapChildren(s: Schema, fn: (child: Schema) => Schema): Schema {
  const out: Schema = { ...s };
  for (const k of MAP_KEYWORDS) {
    const m = s[k];
    if (isObj(m)) out[k] = Object.fromEntries(Object.entries(m).map(([n, c]) => [n, isObj(c) ? fn(c) : c]));
  }
  for (const k of SCHEMA_KEYWORDS) {
    const c = s[k];
    if (isObj(c)) out[k] = fn(c);
    else if (Array.isArray(c)) out[k] = c.map((x) => (isObj(x) ? fn(x) : x));
  }
  for (const k of ARRAY_KEYWORDS) {
    const arr = s[k];
    if (Array.isArray(arr)) out[k] = arr.map((x) => (isObj(x) ? fn(x) : x));
  }
  return out;
}

function stripDescriptions(s: Schema): Schema {
  const { description: _d, ...rest } = s;
  return mapChildren(rest, stripDescriptions);
}

export function compactSchema(schema: Schema, minBytes = 800): Schema {
  const stripped = stripDescriptions(schema);
  const counts = new Map<string, number>();
  const count = (s: Schema): Schema => {
    mapChildren(s, count);
    const key = JSON.stringify(s);
    if (key.length >= minBytes) counts.set(key, (counts.get(key) ?? 0) + 1);
    return s;
  };
  mapChildren(stripped, count);
  const definitions: Record<string, Schema> = {};
  const ids = new Map<string, string>();
  // Top-down: the largest repeated subtree is hoisted whole, so its inner repeats are hoisted within it once.
  const hoist = (s: Schema): Schema => {
    const key = JSON.stringify(s);
    if ((counts.get(key) ?? 0) < 2) return mapChildren(s, hoist);
    let id = ids.get(key);
    if (!id) {
      id = `d${ids.size}`;
      ids.set(key, id);
      definitions[id] = mapChildren(s, hoist);
    }
    return { $ref: `#/definitions/${id}` };
  };
  const root = mapChildren(stripped, hoist);
  if (ids.size === 0) return root;
  return { ...root, definitions: { ...(isObj(root.definitions) ? root.definitions : {}), ...definitions } };
}

/**
 * Adds `additionalProperties: false` where the API server would prune unknown fields of a custom resource:
 * object schemas with `properties`, no `additionalProperties`, no `x-kubernetes-preserve-unknown-fields` and
 * not an embedded resource. Only structural positions are touched (root, properties, items,
 * additionalProperties), never anyOf/allOf/oneOf/not branches, whose `properties` only restate the parent's.
 * Pruning is silent, so a misspelled field in a manifest would otherwise just disappear at apply.
 */
export function pruningAsErrors(schema: Schema): Schema {
  const visit = (s: Schema): Schema => {
    const out: Schema = { ...s };
    if (isObj(s.properties)) {
      out.properties = Object.fromEntries(
        Object.entries(s.properties).map(([n, c]) => [n, isObj(c) ? visit(c) : c]),
      );
      const open =
        s.additionalProperties !== undefined ||
        s["x-kubernetes-preserve-unknown-fields"] === true ||
        s["x-kubernetes-embedded-resource"] === true;
      if (!open) out.additionalProperties = false;
    }
    if (isObj(s.items)) out.items = visit(s.items);
    if (isObj(s.additionalProperties)) out.additionalProperties = visit(s.additionalProperties);
    return out;
  };
  // The API server always accepts the type and object metadata at the root, declared or not.
  const props = isObj(schema.properties) ? schema.properties : {};
  return visit({
    ...schema,
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      ...props,
    },
  });
}
