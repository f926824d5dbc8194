import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../../config/loader";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import {
  dataNodeCount,
  heapFromMemory,
  LOGGING_MODES,
  parseLoggingConfig,
} from "../../../../constructs/addons/logging";
import { thrownBy } from "../../../support/errors";

const oneSet = (count: number, roles = ["master", "data", "ingest"]) => ({
  eck: { nodeSets: { default: { count, roles: roles as never } } },
});

describe("logging config", () => {
  it("has working defaults: eck, 30 days, one 3-node set of 4Gi, snapshots on", () => {
    const c = parseLoggingConfig({});
    expect(c).toMatchObject({ enabled: false, mode: "eck", retentionInDays: 30, replicas: 1, shards: 1 });
    expect(c.eck.version).toBe("9.5.0");
    expect(c.eck.nodeSets).toEqual({
      default: { count: 3, storageGiB: 100, cpu: "1", memory: "4Gi", roles: ["master", "data", "ingest"] },
    });
    expect(c.eck.snapshots).toMatchObject({ enabled: true, repository: "s3-snapshots", expireAfterDays: 30 });
    expect(LOGGING_MODES).toEqual(["eck", "opensearch-service"]);
  });

  it("derives the heap as half the memory, capped at 31g", () => {
    expect(heapFromMemory("4Gi")).toBe("2048m");
    expect(heapFromMemory("3Gi")).toBe("1536m");
    expect(heapFromMemory("1536Mi")).toBe("768m");
    expect(heapFromMemory("64Gi")).toBe(`${31 * 1024}m`);
    expect(heapFromMemory("62Gi")).toBe(`${31 * 1024}m`);
    expect(heapFromMemory("60Gi")).toBe(`${30 * 1024}m`);
  });

  it("counts data nodes over every data tier, not master-only or ingest-only sets", () => {
    const c = parseLoggingConfig({
      eck: {
        nodeSets: {
          masters: { count: 3, roles: ["master"] },
          hot: { count: 2, roles: ["data_hot", "data_content", "ingest"] },
          warm: { count: 1, roles: ["data_warm"] },
        },
      },
    });
    expect(dataNodeCount(c.eck.nodeSets)).toBe(3);
  });

  it("fails when the logging mode does not exist, naming the path, the value and the modes", () => {
    expect(() => parseLoggingConfig({ mode: "loki" as never })).toThrow(
      /addons\.logging\.mode: got "loki"; expected one of "eck", "opensearch-service"/,
    );
  });

  it("fails when retention is below 1 day", () => {
    expect(() => parseLoggingConfig({ retentionInDays: 0 })).toThrow(
      /addons\.logging\.retentionInDays: .*retentionInDays must be at least 1/,
    );
  });

  it("fails when the data nodes are fewer than replicas + 1, saying why", () => {
    const message = String(thrownBy(() => parseLoggingConfig({ replicas: 2, ...oneSet(2) })));
    expect(message).toMatch(
      /addons\.logging\.eck\.nodeSets: the node sets have 2 data nodes in total, fewer than replicas \+ 1 = 3/,
    );
    expect(message).toMatch(/each copy on a different data node/);
    expect(() => parseLoggingConfig({ replicas: 0, ...oneSet(1) })).not.toThrow();
    expect(() => parseLoggingConfig(oneSet(1))).toThrow(/1 data node in total, fewer than replicas \+ 1 = 2/);
  });

  it("fails when master-only sets leave no data node for the replicas", () => {
    expect(() => parseLoggingConfig(oneSet(3, ["master", "ingest"]))).toThrow(/0 data nodes in total/);
  });

  it("fails when no node set is master-eligible or runs the ingest pipeline", () => {
    expect(() => parseLoggingConfig(oneSet(3, ["data", "ingest"]))).toThrow(
      /no node set has the "master" role/,
    );
    expect(() => parseLoggingConfig(oneSet(3, ["master", "data"]))).toThrow(
      /no node set has the "ingest" role/,
    );
  });

  it("fails when a node role is unknown", () => {
    expect(() => parseLoggingConfig(oneSet(3, ["master", "data", "ingest", "coordinator"]))).toThrow(
      /eck\.nodeSets\.default\.roles\[3\]: got "coordinator"; expected one of "master", "data"/,
    );
  });

  it("fails when a node set name is not a short DNS label", () => {
    expect(() => parseLoggingConfig({ eck: { nodeSets: { Hot_Nodes: { count: 3 } } } })).toThrow(
      /eck\.nodeSets\.Hot_Nodes: node set name "Hot_Nodes" is invalid/,
    );
  });

  it("fails when the heap is not below the memory", () => {
    expect(() =>
      parseLoggingConfig({ eck: { nodeSets: { default: { memory: "4Gi", heap: "4g" } } } }),
    ).toThrow(/eck\.nodeSets\.default\.heap: heap "4g" is not below memory "4Gi"/);
    expect(
      parseLoggingConfig({ eck: { nodeSets: { default: { memory: "4Gi", heap: "3g" } } } }).eck.nodeSets
        .default.heap,
    ).toBe("3g");
  });

  it("fails when the index prefix is not an index name, with the backend's own message", () => {
    expect(() => parseLoggingConfig({ indexPrefix: "Logs" })).toThrow(
      /addons\.logging\.indexPrefix: "Logs" is not an index name prefix/,
    );
  });

  it("fails when a key is unknown", () => {
    expect(() => parseLoggingConfig({ retention: 3 } as never)).toThrow(/addons\.logging/);
  });

  it("fails when logging is enabled without external-secrets, through the registry's dependency check", () => {
    const doc = {
      ...EMBEDDED_DEFAULT,
      preset: "minimal",
      addons: { logging: { enabled: true } },
    };
    expect(() => parsePlatformConfig(doc, "test")).toThrow(
      /addons\.externalSecrets\.enabled: got false; logging depends on it/,
    );
  });
});
