/**
 * examples/team-stack: a team's own cdktf app (its environment plus a training job) synthesized as a user runs
 * it, in its own process; assertions on the synthesized JSON.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Json } from "../support/manifests";

const MAIN = join(import.meta.dirname, "..", "..", "examples", "team-stack", "main.ts");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runExample(env: Record<string, string> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), "team-stack-"));
  dirs.push(outdir);
  const child = spawnSync(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
  return { child, outdir };
}

describe("examples/team-stack (a team's own app)", () => {
  const { child, outdir } = runExample();

  it("synthesizes only the team's environment stack", () => {
    expect(child.status, child.stderr).toBe(0);
    expect(readdirSync(join(outdir, "stacks"))).toEqual(["acme-dev-team-fraud-dev"]);
  });

  it("runs the training job in the team's namespace as the team's service account, PSS restricted", () => {
    const json: Json = JSON.parse(
      readFileSync(join(outdir, "stacks", "acme-dev-team-fraud-dev", "cdk.tf.json"), "utf8"),
    );
    const [job] = Object.entries(json.resource.kubernetes_job_v1 as Record<string, Json>)
      .filter(([id]) => id.startsWith("Training_"))
      .map(([, j]) => j);
    expect(job?.metadata.namespace).toBe("team-fraud-dev");
    const pod = job?.spec.template.spec;
    expect(pod.service_account_name).toBe("team-fraud");
    expect(pod.security_context).toMatchObject({
      run_as_non_root: true,
      seccomp_profile: { type: "RuntimeDefault" },
    });
    const [container] = pod.container;
    expect(container.security_context).toMatchObject({
      allow_privilege_escalation: false,
      capabilities: { drop: ["ALL"] },
      read_only_root_filesystem: true,
    });
    expect(container.resources.requests).toEqual({ cpu: "1", memory: "2Gi" });
    expect(container.image).toMatch(/@sha256:[0-9a-f]{64}$/);

    const env = Object.fromEntries(
      (container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]),
    );
    // Its outputs under the team's prefix, its topic under the team's prefix, its experiment under the team's prefix.
    expect(env.OUTPUT_URI).toMatch(
      /^s3:\/\/\$\{data\.aws_s3_bucket\.[^}]+\}\/teams\/fraud\/training\/fraud-score\/$/,
    );
    expect(env.TRAINING_EVENTS_TOPIC?.startsWith("team.fraud.")).toBe(true);
    expect(env.MLFLOW_EXPERIMENT_NAME?.startsWith("fraud/")).toBe(true);
    // The team's KafkaUser: the platform's TLS bootstrap and the delivered credential files, mounted from Secrets.
    expect(env.KAFKA_BROKERS).toMatch(/-kafka-bootstrap\.kafka\.svc:9093$/);
    expect(["SSL", "SASL_SSL"]).toContain(env.KAFKA_SECURITY_PROTOCOL);
    const mounts = (container.volume_mount as { name: string }[]).map((m) => m.name);
    const secrets = (pod.volume as Json[]).filter((v) => v.secret);
    expect(secrets.length).toBeGreaterThan(0);
    for (const v of secrets) {
      expect(mounts).toContain(v.name);
      expect(v.secret.default_mode).toMatch(/^0[0-7]{3}$/);
    }

    // The role the service account maps to writes only under teams/fraud/.
    const docs = Object.values(json.data.aws_iam_policy_document as Record<string, Json>);
    const writes = docs
      .flatMap((d) => (d.statement ?? []) as Json[])
      .filter((s) => (s.actions as string[] | undefined)?.includes("s3:PutObject"))
      .flatMap((s) => s.resources as string[]);
    expect(writes.length).toBeGreaterThan(0);
    for (const r of writes) expect(r).toMatch(/\/teams\/fraud\/\*$/);
    expect(Object.keys(json.output)).toEqual(
      expect.arrayContaining(["training_output_uri", "workload_role_arn"]),
    );
  });

  it("fails when the training zone is not one of the team's read-write zones, naming the config path", () => {
    const run = runExample({ TRAINING_ZONE: "features" });
    expect(run.child.status).toBe(1);
    expect(run.child.stderr).toContain(
      'zone "features" is not one of teams.fraud.lake.readWriteZones (raw, curated)',
    );
    // Nothing synthesized (cdktf creates the empty stacks folder when the app is constructed).
    expect(readdirSync(run.outdir, { recursive: true })).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/\.json$/)]),
    );
  });

  it("fails when the team is not in the platform's configuration", () => {
    const run = runExample({ TEAM: "nope" });
    expect(run.child.status).toBe(1);
    expect(run.child.stderr).toContain('no team "nope"');
  });
});
