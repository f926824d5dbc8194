/** Environment configuration: defaults, parsing, and startup refusal naming variable, value and expectation. */
import { describe, expect, it } from "vitest";
import { ConfigError, describeVariables, loadConfig } from "../../src/config";
import { spawnService } from "./service-process";

describe("loadConfig", () => {
  it("applies documented defaults", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8080);
    expect(c.HOST).toBe("127.0.0.1");
    expect(c.LOG_FEATURES).toBe(false);
    expect(c.KAFKA_BROKERS).toEqual([]);
    expect(c.MODEL_REPOSITORY).toMatch(/service\/models$/);
  });

  it("parses integers, booleans and lists", () => {
    const c = loadConfig({
      PORT: "9000",
      LOG_FEATURES: "true",
      KAFKA_BROKERS: "a:9092, b:9092",
      MODELS: "readmission",
    });
    expect(c.PORT).toBe(9000);
    expect(c.LOG_FEATURES).toBe(true);
    expect(c.KAFKA_BROKERS).toEqual(["a:9092", "b:9092"]);
    expect(c.MODELS).toEqual(["readmission"]);
  });

  it("fails when a value is invalid, naming variable, value and expectation for each", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "80a", LOG_LEVEL: "loud", SHUTDOWN_GRACE_MS: "-1", DRIFT_ENABLED: "yes" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT="80a": expected an integer port between 0 and 65535');
    expect(message).toContain(
      'LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent',
    );
    expect(message).toContain('SHUTDOWN_GRACE_MS="-1": expected an integer number of milliseconds');
    expect(message).toContain('DRIFT_ENABLED="yes": expected true or false');
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it("fails when MODEL_CONTROL=explicit meets a remote repository or MODEL_SOURCES, naming both", () => {
    expect(() => loadConfig({ MODEL_CONTROL: "explicit", MODEL_REPOSITORY: "s3://bucket/models" })).toThrow(
      'MODEL_REPOSITORY="s3://bucket/models": expected a local directory with MODEL_CONTROL=explicit',
    );
    expect(() => loadConfig({ MODEL_CONTROL: "explicit", MODEL_SOURCES: "a=/models" })).toThrow(
      'MODEL_SOURCES="a=/models": expected empty with MODEL_CONTROL=explicit',
    );
    expect(() => loadConfig({ MODEL_CONTROL: "manual" })).toThrow(
      /MODEL_CONTROL="manual": expected all \(serve/,
    );
    expect(
      loadConfig({ MODEL_CONTROL: "explicit", MODEL_REPOSITORY: "/mnt/agent/models" }).MODEL_CONTROL,
    ).toBe("explicit");
  });

  it("fails when a port is out of range", () => {
    expect(() => loadConfig({ PORT: "70000" })).toThrow(/PORT="70000"/);
  });

  it("describes every variable it reads", () => {
    const names = describeVariables().map((v) => v.name);
    expect(names).toEqual(Object.keys(loadConfig({})));
  });

  it("fails startup of the real process with the message and a non-zero exit", async () => {
    await expect(spawnService({ MAX_BATCH_SIZE: "lots" }, 30_000)).rejects.toThrow(
      /exited \(2\) before listening: invalid configuration:\s+MAX_BATCH_SIZE="lots": expected an integer number of rows/,
    );
  });
});

describe("README", () => {
  it("documents every environment variable", async () => {
    const { readFile } = await import("node:fs/promises");
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const missing = describeVariables().filter((v) => !readme.includes(`\`${v.name}\``));
    expect(missing.map((v) => v.name)).toEqual([]);
  });
});
