import { describe, expect, it } from "vitest";
import { MlflowConfigSchema, mlflowAddOn, parseMlflowConfig } from "../../../../constructs/addons/mlflow";
import { onlyResource } from "../../../support/synth";
import { type Json, synthMlflow } from "./support";

describe("MLflow configuration", () => {
  it("defaults to basic auth, 2 replicas, a 7-day backed-up db.t4g.medium PostgreSQL 17", () => {
    const c = parseMlflowConfig({});
    expect(c).toMatchObject({
      enabled: false,
      replicas: 2,
      auth: { mode: "basic", defaultPermission: "READ" },
      database: { instanceClass: "db.t4g.medium", engineVersion: "17", backupRetentionInDays: 7 },
    });
    expect(c.database.multiAz).toBeUndefined();
  });

  it("describes every field, nested ones included", () => {
    const undescribed: string[] = [];
    const walk = (schema: Json, path: string) => {
      let s = schema;
      while (s?.def?.innerType) s = s.def.innerType; // default/optional wrappers
      for (const [k, child] of Object.entries((s?.shape ?? {}) as Json)) {
        if (!(child as Json).description) undescribed.push(`${path}${k}`);
        walk(child as Json, `${path}${k}.`);
      }
    };
    walk(MlflowConfigSchema as unknown as Json, "");
    expect(undescribed).toEqual([]);
    expect(Object.keys(MlflowConfigSchema.shape)).toEqual([
      "enabled",
      "database",
      "auth",
      "replicas",
      "resources",
      "ingress",
      "helm",
    ]);
  });

  it("defaults the database to Multi-AZ in prod and single-AZ elsewhere; config wins", () => {
    const multiAz = (config: Json, environment: string) =>
      (onlyResource(synthMlflow(config, { platform: { environment } }).json, "aws_db_instance") as Json)
        .multi_az;
    expect(multiAz({}, "prod")).toBe(true);
    expect(multiAz({}, "staging")).toBe(false);
    expect(multiAz({ database: { multiAz: false } }, "prod")).toBe(false);
  });

  it("turns deletion protection and prevent_destroy off only in a sandbox", () => {
    const db = onlyResource(synthMlflow({}, { platform: { sandbox: true } }).json, "aws_db_instance") as Json;
    expect(db.deletion_protection).toBe(false);
    expect(db.lifecycle).toBeUndefined();
  });

  const fails: [string, unknown, RegExp][] = [
    [
      "backups are kept under 7 days",
      { database: { backupRetentionInDays: 3 } },
      /database\.backupRetentionInDays: got 3/,
    ],
    ["the auth mode is unknown", { auth: { mode: "ldap" } }, /auth\.mode: got "ldap"/],
    [
      "oidc mode has no oidc settings",
      { auth: { mode: "oidc" } },
      /auth\.oidc: .*required when auth\.mode is "oidc"/,
    ],
    [
      "oidc settings are given for basic mode",
      {
        auth: {
          oidc: {
            discoveryUrl: "https://idp.example.com/.well-known/openid-configuration",
            clientId: "c",
            clientSecretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:x",
          },
        },
      },
      /auth\.oidc: .*mode is "basic"/,
    ],
    [
      "the OIDC client secret is not a Secrets Manager ARN",
      {
        auth: {
          mode: "oidc",
          oidc: { discoveryUrl: "https://i.example.com/x", clientId: "c", clientSecretArn: "s3://x" },
        },
      },
      /clientSecretArn: got "s3:\/\/x"/,
    ],
    ["replicas is 0", { replicas: 0 }, /replicas: got 0/],
    ["a key is unknown", { replica: 2 }, /replica/],
    [
      "the instance class is malformed",
      { database: { instanceClass: "t4g.medium" } },
      /instanceClass: got "t4g.medium"/,
    ],
    [
      "the engine version is MySQL's",
      { database: { engineVersion: "8.4" } },
      /engineVersion: got "8.4"|engineVersion "8.4"/,
    ],
    [
      "the storage ceiling is below 110 % of the allocation",
      { database: { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 } },
      /maxAllocatedStorageGiB 100 must be at least 10 % above allocatedStorageGiB 100/,
    ],
    [
      "the memory limit is below the request",
      { resources: { memoryRequest: "2Gi", memoryLimit: "1Gi" } },
      /memoryLimit "1Gi" is below memoryRequest "2Gi"/,
    ],
    [
      "helm values replace the init containers (the kit's schema migration)",
      { helm: { values: { initContainers: [{ name: "mine", image: "busybox" }] } } },
      /helm\.values\.initContainers: got \[\{"name":"mine".*expected unset.*"schema-migration"/,
    ],
    [
      "helm values turn the chart's unlocked migration back on",
      { helm: { values: { backendStore: { databaseMigration: true } } } },
      /helm\.values\.backendStore\.databaseMigration: got true; expected false or unset/,
    ],
    [
      "the ingress host is not a DNS name",
      { ingress: { host: "not a host", certificateArn: "arn:aws:acm:x" } },
      /ingress\.host: got "not a host"/,
    ],
  ];
  for (const [what, input, message] of fails) {
    it(`fails when ${what}`, () => {
      expect(() => parseMlflowConfig(input as never)).toThrow(message);
      expect(() => mlflowAddOn(input as never)).toThrow(/invalid MLflow configuration/);
    });
  }
});
