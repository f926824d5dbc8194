/**
 * The log backend's documents built from options: validation with the config path named, and the shape of the
 * Elasticsearch ILM policy, which no engine here can load (OpenSearch has no ILM API; see roundtrip.test.ts for
 * the documents a real OpenSearch node accepts). What is checked of ILM: phase names and order, `min_age` units,
 * the actions each phase allows, and that the template names the policy; not: Elasticsearch's own validation.
 */
import { describe, expect, it } from "vitest";
import {
  ilmPolicy,
  indexTemplate,
  ingestPipeline,
  ismPolicy,
  resolveLogBackend,
} from "../../../../../constructs/addons/logging/backend";

describe("resolveLogBackend", () => {
  it("defaults the index prefix, shards and replicas", () => {
    expect(resolveLogBackend({ retentionInDays: 7 })).toEqual({
      retentionInDays: 7,
      indexPrefix: "logs-containers",
      indexPattern: "logs-containers-*",
      shards: 1,
      replicas: 1,
      name: "logs-containers",
    });
  });

  it("fails when retention below 1 day", () => {
    expect(() => resolveLogBackend({ retentionInDays: 0 })).toThrow(
      "logging.retentionInDays: 0 is not a retention in days; expected a whole number of at least 1",
    );
    expect(() => resolveLogBackend({ retentionInDays: 0.5, configPath: "addons.logging" })).toThrow(
      /^addons\.logging\.retentionInDays: 0\.5 is not/,
    );
  });

  it("fails when the index prefix is not a valid index name", () => {
    expect(() => resolveLogBackend({ retentionInDays: 7, indexPrefix: "Logs" })).toThrow(
      /logging\.indexPrefix: "Logs" is not an index name prefix/,
    );
    expect(() => resolveLogBackend({ retentionInDays: 7, indexPrefix: "_logs" })).toThrow(/indexPrefix/);
  });

  it("fails when replicas are negative", () => {
    expect(() => resolveLogBackend({ retentionInDays: 7, replicas: -1 })).toThrow(
      /logging\.replicas: -1 is not a replica count; expected a whole number of at least 0/,
    );
  });
});

describe("ILM policy (Elasticsearch)", () => {
  const backend = resolveLogBackend({ retentionInDays: 14 });
  const { policy } = ilmPolicy(backend);
  const phaseOrder = ["hot", "warm", "cold", "frozen", "delete"];
  // Actions Elasticsearch allows per phase (those the kit uses and their neighbours).
  const allowed: Record<string, string[]> = {
    hot: ["set_priority", "rollover", "readonly", "shrink", "forcemerge", "unfollow", "downsample"],
    delete: ["wait_for_snapshot", "delete"],
  };

  it("has only known phases, in lifecycle order, each with a min_age in a time unit", () => {
    const phases = Object.keys(policy.phases);
    expect(phases.every((p) => phaseOrder.includes(p))).toBe(true);
    expect(phases).toEqual([...phases].sort((a, b) => phaseOrder.indexOf(a) - phaseOrder.indexOf(b)));
    for (const phase of Object.values(policy.phases)) expect(phase.min_age).toMatch(/^\d+(d|h|m|s|ms)$/);
  });

  it("uses only actions the phase allows", () => {
    for (const [name, phase] of Object.entries(policy.phases)) {
      for (const action of Object.keys(phase.actions)) expect(allowed[name]).toContain(action);
    }
  });

  it("deletes after the retention and is named by the Elasticsearch template", () => {
    expect(policy.phases.delete.min_age).toBe("14d");
    expect(indexTemplate(backend, "elasticsearch").template.settings["index.lifecycle.name"]).toBe(
      "logs-containers",
    );
  });
});

describe("the OpenSearch documents", () => {
  const backend = resolveLogBackend({ retentionInDays: 3, indexPrefix: "logs-team-a" });

  it("leave out the ILM setting OpenSearch rejects", () => {
    expect(indexTemplate(backend, "opensearch").template.settings).not.toHaveProperty("index.lifecycle.name");
  });

  it("move to delete after the retention and attach to the template's indices", () => {
    const { policy } = ismPolicy(backend);
    expect(policy.states[0]?.transitions).toEqual([
      { state_name: "delete", conditions: { min_index_age: "3d" } },
    ]);
    expect(policy.ism_template[0]?.index_patterns).toEqual(["logs-team-a-*"]);
  });

  it("point the template at the pipeline by the same name", () => {
    expect(indexTemplate(backend, "opensearch").template.settings["index.default_pipeline"]).toBe(
      "logs-team-a",
    );
    expect(ingestPipeline(backend).description).toContain("logs-team-a");
  });
});
