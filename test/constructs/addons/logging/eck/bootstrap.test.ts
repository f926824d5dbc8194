import { Lazy, Token } from "cdktf";
import { describe, expect, it } from "vitest";
import { parseLoggingConfig } from "../../../../../constructs/addons/logging";
import { resolveLogBackend } from "../../../../../constructs/addons/logging/backend";
import {
  BOOTSTRAP_IMAGE,
  bootstrapObjects,
  bootstrapRequests,
} from "../../../../../constructs/addons/logging/eck/bootstrap";
import { type Json, manifests, synthLogging } from "../support";

const backend = resolveLogBackend({ retentionInDays: 14 });
const SNAPSHOTS = {
  repository: "s3-snapshots",
  bucketName: "b",
  schedule: "0 30 1 * * ?",
  expireAfterDays: 30,
};

describe("bootstrap Job", () => {
  it("loads ILM policy, pipeline, then the template naming both; then repository and SLM policy", () => {
    const r = bootstrapRequests(backend, SNAPSHOTS);
    expect(r.map((x) => x.path)).toEqual([
      "_ilm/policy/logs-containers",
      "_ingest/pipeline/logs-containers",
      "_index_template/logs-containers",
      "_snapshot/s3-snapshots",
      "_slm/policy/logs-containers",
    ]);
    const template = r[2].body as Json;
    expect(template.template.settings).toMatchObject({
      "index.lifecycle.name": "logs-containers",
      "index.default_pipeline": "logs-containers",
    });
    expect((r[0].body as Json).policy.phases.delete.min_age).toBe("14d");
    expect(r[3].body).toEqual({ type: "s3", settings: { bucket: "b", base_path: "elasticsearch" } });
    expect(r[4].body).toMatchObject({
      schedule: "0 30 1 * * ?",
      repository: "s3-snapshots",
      config: { indices: ["logs-containers-*"], include_global_state: false },
      retention: { expire_after: "30d" },
    });
    expect(bootstrapRequests(backend).map((x) => x.path)).toHaveLength(3);
  });

  it("reads the elastic user's password and the CA from ECK's Secrets, never from values", () => {
    const { job, configMap } = bootstrapObjects({
      config: parseLoggingConfig({}),
      backend,
      namespace: "logging",
      elasticsearchName: "logs",
      snapshots: SNAPSHOTS,
    }) as { job: Json; configMap: Json };
    const pod = job.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "elastic-user",
      secret: { secretName: "logs-es-elastic-user", items: [{ key: "elastic", path: "elastic" }] },
    });
    expect(pod.volumes).toContainEqual({
      name: "http-ca",
      secret: { secretName: "logs-es-http-certs-public", items: [{ key: "ca.crt", path: "ca.crt" }] },
    });
    const script = pod.containers[0].command[2] as string;
    expect(script).toContain("ES=https://logs-es-http.logging.svc:9200");
    expect(script).toContain("--cacert /ca/ca.crt");
    expect(script).not.toMatch(/-k |--insecure/);
    expect(script).not.toContain("${");
    expect(Object.keys(configMap.data)).toEqual([
      "ilm-policy.json",
      "ingest-pipeline.json",
      "index-template.json",
      "snapshot-repository.json",
      "slm-policy.json",
    ]);
    expect(job.metadata.name).toBe(configMap.metadata.name);
    expect(job.metadata.name).toMatch(/^logging-bootstrap-[0-9a-f]{10}$/);
  });

  it("runs restricted with resources, from the pinned curl image", () => {
    const [job] = manifests(synthLogging().json, "Job");
    const pod = job.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = pod.containers[0];
    expect(c.image).toBe(BOOTSTRAP_IMAGE);
    expect(c.resources).toEqual({ requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } });
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("gets a new name when a document changes (retention), so the immutable Job is replaced", () => {
    const name = (days: number) =>
      (
        bootstrapObjects({
          config: parseLoggingConfig({}),
          backend: resolveLogBackend({ retentionInDays: days }),
          namespace: "logging",
          elasticsearchName: "logs",
        }).job as Json
      ).metadata.name;
    expect(name(14)).not.toBe(name(30));
    expect(name(14)).toBe(name(14));
  });

  it("keeps its name when only the token numbering moves (constructs added elsewhere in the app)", () => {
    const name = (bucketName: string) =>
      (
        bootstrapObjects({
          config: parseLoggingConfig({}),
          backend,
          namespace: "logging",
          elasticsearchName: "logs",
          snapshots: { ...SNAPSHOTS, bucketName },
        }).job as Json
      ).metadata.name;
    const tokenAfter = (tokensBefore: number) => {
      for (let i = 0; i < tokensBefore; i++) Token.asString(Lazy.stringValue({ produce: () => "x" }));
      const bucketName = Token.asString(Lazy.stringValue({ produce: () => "acme-dev-logs-snapshots" }));
      expect(Token.isUnresolved(bucketName)).toBe(true);
      return bucketName;
    };
    expect(name(tokenAfter(0))).toBe(name(tokenAfter(5)));
    // A literal bucket name still counts.
    expect(name("a-bucket")).not.toBe(name("b-bucket"));
  });
});
