/**
 * `addons.logging.collector`: defaults, and bad values failing with the config path, the value and what was
 * expected.
 */
import { describe, expect, it } from "vitest";
import {
  CollectorConfigSchema,
  parseCollectorConfig,
  quantityMiB,
} from "../../../../../constructs/addons/logging/collector";

const problem = (input: unknown) => {
  try {
    parseCollectorConfig(input as never);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
};

describe("addons.logging.collector", () => {
  it("defaults: retry until the backend is back, 2 GiB of disk buffer, every namespace", () => {
    expect(parseCollectorConfig()).toEqual({
      resources: { cpuRequest: "100m", memoryRequest: "128Mi", memoryLimit: "512Mi" },
      bufferSizeMiB: 2048,
      memBufLimitMiB: 64,
      retryLimit: "no_limits",
      excludedNamespaces: [],
      helm: { values: {} },
    });
  });

  it("describes every key, for the configuration reference", () => {
    type Described = { description?: string; def: { innerType: { shape: Record<string, Described> } } };
    // Both objects are wrapped in a prefault (defaults when the key is absent).
    const shape = (CollectorConfigSchema as unknown as Described).def.innerType.shape;
    for (const [key, schema] of Object.entries(shape)) expect(schema.description, key).toMatch(/^\S.{10,}/);
    for (const [key, schema] of Object.entries((shape.resources as Described).def.innerType.shape))
      expect(schema.description, `resources.${key}`).toMatch(/^\S.{10,}/);
    expect(Object.keys(shape)).toHaveLength(6);
  });

  it("reads memory quantities as MiB", () => {
    expect([quantityMiB("512Mi"), quantityMiB("1Gi"), quantityMiB("2048Ki")]).toEqual([512, 1024, 2]);
  });

  it("fails when the disk buffer is below 64 MiB", () => {
    expect(problem({ bufferSizeMiB: 10 })).toContain(
      "addons.logging.collector.bufferSizeMiB: got 10; bufferSizeMiB must be at least 64",
    );
  });

  it("fails when the memory buffer is below 8 chunks", () => {
    expect(problem({ memBufLimitMiB: 8 })).toContain(
      "addons.logging.collector.memBufLimitMiB: got 8; memBufLimitMiB must be at least 16 (8 chunks of 2 MiB)",
    );
  });

  it("fails when the memory buffer is more than half the memory limit", () => {
    expect(problem({ memBufLimitMiB: 300 })).toContain(
      'addons.logging.collector.memBufLimitMiB: got 300 with resources.memoryLimit "512Mi"; expected at most half the memory limit (256)',
    );
    expect(
      parseCollectorConfig({ memBufLimitMiB: 300, resources: { memoryLimit: "1Gi" } }).memBufLimitMiB,
    ).toBe(300);
  });

  it("fails when the retry limit is neither no_limits nor a count", () => {
    expect(problem({ retryLimit: "forever" })).toMatch(
      /addons\.logging\.collector\.retryLimit: got "forever".*expected "no_limits" or an integer from 1 to 1000/,
    );
    expect(problem({ retryLimit: 0 })).toContain(
      'addons.logging.collector.retryLimit: got 0; expected "no_limits" or an integer from 1 to 1000',
    );
    expect(problem({ retryLimit: 2.5 })).toContain("addons.logging.collector.retryLimit: got 2.5;");
    expect(parseCollectorConfig({ retryLimit: 30 }).retryLimit).toBe(30);
  });

  it("fails when an excluded namespace is not a namespace name, or listed twice", () => {
    expect(problem({ excludedNamespaces: ["Kube_System"] })).toMatch(
      /addons\.logging\.collector\.excludedNamespaces\[0\]: got "Kube_System".*expected a Kubernetes namespace name/,
    );
    expect(problem({ excludedNamespaces: ["a", "b", "a"] })).toContain(
      'addons.logging.collector.excludedNamespaces[2]: got "a" twice; expected each namespace once',
    );
  });

  it("fails when a resource quantity is malformed", () => {
    expect(problem({ resources: { cpuRequest: "0" } })).toMatch(
      /addons\.logging\.collector\.resources\.cpuRequest: got "0".*expected a CPU quantity/,
    );
  });

  it("fails when the release is asked to wait for ready pods", () => {
    expect(problem({ helm: { wait: true } })).toContain(
      "addons.logging.collector.helm.wait: got true; expected false: the collector's pods start once their Secrets exist",
    );
  });

  it("fails when a key is unknown, suggesting the close one", () => {
    expect(problem({ bufferSizeMb: 100 })).toMatch(/addons\.logging\.collector.*bufferSizeMb.*bufferSizeMiB/);
  });
});
