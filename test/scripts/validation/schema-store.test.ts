import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  locateSchemas,
  SCHEMAS_DIR_ENV,
  schemasAvailable,
  schemasLocation,
  validateCustomResource,
  validateHelmValues,
} from "../../../scripts/validation";

describe("locateSchemas", () => {
  it("fails with the env var named when MLOPS_SCHEMAS_DIR points nowhere", () => {
    const loc = locateSchemas({ [SCHEMAS_DIR_ENV]: "/nonexistent/schemas" });
    expect(loc.dir).toBeUndefined();
    expect(loc.reason).toBe(
      "MLOPS_SCHEMAS_DIR=/nonexistent/schemas has no index.json (resolved to /nonexistent/schemas)",
    );
  });

  it("looks for ../shared/schemas beside the repository root", () => {
    const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
    expect(locateSchemas({}).tried[0]).toBe(resolve(repoRoot, "..", "shared", "schemas"));
  });
});

// A synthetic reference dir pins the open-map rules independently of upstream chart contents.
describe("validateHelmValues open-path rules (synthetic chart)", () => {
  let dir: string;
  let previous: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mlops-schemas-"));
    const chart = join(dir, "charts", "demo");
    mkdirSync(chart, { recursive: true });
    mkdirSync(join(dir, "crds", "example.com"), { recursive: true });
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify({
        crds: [
          { group: "example.com", kind: "Widget", version: "v1", file: "crds/example.com/widget_v1.json" },
        ],
        charts: [{ name: "demo", version: "1.0.0", dir: "charts/demo", hasSchema: true, hasValues: true }],
      }),
    );
    writeFileSync(
      join(dir, "crds", "example.com", "widget_v1.json"),
      JSON.stringify({
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: {
          spec: {
            type: "object",
            required: ["mode"],
            properties: {
              // Go RE2 syntax: \A, \z and a POSIX class.
              mode: { type: "string", pattern: "\\A(?i)[[:alpha:]]+\\z" },
              size: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
            },
          },
        },
      }),
    );
    writeFileSync(
      join(chart, "Chart.yaml"),
      stringify({ name: "demo", version: "1.0.0", dependencies: [{ name: "postgresql", alias: "db" }] }),
    );
    writeFileSync(
      join(chart, "values.yaml"),
      stringify({
        image: { repository: "x", tag: "" },
        extraEnv: {},
        nullable: null,
        emptyString: "",
        list: [{ a: 1 }],
        resources: { requests: { cpu: "1" } },
        custom: { resources: { cpu: "1" } },
        db: { enabled: false },
      }),
    );
    writeFileSync(
      join(chart, "values.schema.json"),
      JSON.stringify({
        type: "object",
        properties: { image: { type: "object", properties: { tag: { type: "string" } } } },
      }),
    );
    previous = process.env[SCHEMAS_DIR_ENV];
    process.env[SCHEMAS_DIR_ENV] = dir;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env[SCHEMAS_DIR_ENV];
    else process.env[SCHEMAS_DIR_ENV] = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  it("uses the MLOPS_SCHEMAS_DIR override", () => {
    expect(schemasAvailable()).toBe(true);
    expect(schemasLocation().dir).toBe(dir);
  });

  it("allows keys under empty-map, null, empty-string and list defaults, subcharts, global and Kubernetes passthroughs", () => {
    const result = validateHelmValues("demo", {
      extraEnv: { FOO: "bar" },
      nullable: { any: { depth: 1 } },
      emptyString: { anything: true },
      list: [{ b: 2 }],
      resources: { limits: { memory: "1Gi" } },
      db: { auth: { database: "x" } },
      global: { imageRegistry: "r" },
    });
    expect(result.issues).toEqual([]);
  });

  it("fails when keys are missing under non-empty maps, including chart-shaped resources", () => {
    const result = validateHelmValues("demo", {
      image: { registry: "r" },
      custom: { resources: { limits: {} } },
    });
    expect(result.issues.map((i) => i.path)).toEqual(["image.registry", "custom.resources.limits"]);
    expect(result.issues[0].message).toContain("keys at image: repository, tag");
  });

  it("fails when the merged values break values.schema.json", () => {
    const result = validateHelmValues("demo", { image: { tag: 1 } });
    expect(result.issues).toEqual([
      {
        path: "image.tag",
        message:
          "chart demo values.schema.json: image.tag: must be integer".replace("integer", "string") +
          " (got 1)",
      },
    ]);
  });

  it("translates RE2 patterns in CRD schemas and accepts int-or-string", () => {
    const widget = (mode: string, size: unknown) => ({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { mode, size },
    });
    expect(validateCustomResource(widget("Fast", "10%")).issues).toEqual([]);
    expect(validateCustomResource(widget("Fast", 3)).issues).toEqual([]);
    expect(validateCustomResource(widget("fast-1", true)).issues).toEqual([
      { path: "spec.mode", message: 'must match pattern "\\A(?i)[[:alpha:]]+\\z" (got "fast-1")' },
      { path: "spec.size", message: "must be integer or string (got true)" },
    ]);
  });
});
