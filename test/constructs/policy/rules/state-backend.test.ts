import { S3Backend } from "cdktf";
import { describe, expect, it } from "vitest";
import { configureStateBackend } from "../../../../constructs/core/state-backend";
import { stateBackend } from "../../../../constructs/policy";
import { check } from "../harness";

describe("MLOPS-STATE-002 state backend", () => {
  it("flags an S3 backend without encryption or locking, and a local backend as an error in prod", () => {
    const s3 = check(stateBackend, (s) => {
      new S3Backend(s, { bucket: "state", key: "k", region: "eu-west-1" });
    });
    expect(s3.map((f) => [f.severity, f.detail])).toEqual([
      ["error", "s3 backend without encrypt = true"],
      ["error", "s3 backend without locking (use_lockfile = true or dynamodb_table)"],
    ]);
    const prod = check(stateBackend, (s) => configureStateBackend(s, "test", { type: "local" }), {
      environment: "prod",
    });
    expect(prod.map((f) => f.severity)).toEqual(["error"]);
  });

  it("accepts the kit's S3 backend (encrypt + use_lockfile), and a local backend is only info outside prod", () => {
    const kit = check(stateBackend, (s) =>
      configureStateBackend(s, "test", { type: "s3", bucket: "state", region: "eu-west-1" }),
    );
    expect(kit).toEqual([]);
    const dynamo = check(stateBackend, (s) => {
      new S3Backend(s, {
        bucket: "state",
        key: "k",
        region: "eu-west-1",
        encrypt: true,
        dynamodbTable: "locks",
      });
    });
    expect(dynamo).toEqual([]);
    const dev = check(stateBackend, (s) => configureStateBackend(s, "test", { type: "local" }));
    expect(dev.map((f) => f.severity)).toEqual(["info"]);
  });
});
