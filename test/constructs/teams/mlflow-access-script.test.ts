import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MLFLOW_SECRETS } from "../../../constructs/addons/mlflow/names";
import { TEAM_MLFLOW_SECRET, teamMlflowNames } from "../../../constructs/teams/mlflow-access";
import { failWhenMissingInCi } from "../../support/ci";
import { type ClusterSecrets, jobProcess } from "../../support/job-process";
import { type Json, named } from "../../support/manifests";
import type { SynthJson } from "../../support/synth";
import {
  MLFLOW_BIN,
  type Replica,
  type Replicas,
  replicasMissing,
  request,
  startReplicas,
  warnReplicasMissing,
} from "../addons/mlflow/replicas";
import { type KubeApiStandIn, resolveName, startKubeApiStandIn } from "./kube-api-stand-in";
import { synthTeamMlflow, TEAM_PROPS } from "./mlflow-support";

/**
 * The team's MLflow Job as synthesized (its script from its ConfigMap, its env, the MLflow image's Python: here
 * the venv of the same MLflow) against the add-on's two replicas as two real MLflow servers on one real
 * PostgreSQL (../addons/mlflow/replicas.ts), configured with auth.defaultPermission NO_PERMISSIONS so teams are
 * apart. Only what the cluster supplies is filled in: the admin Secret's value, the Service address of MLflow
 * (replica A's loopback URL), the kubelet's KUBERNETES_SERVICE_HOST/PORT and the projected token, which reach
 * a Kubernetes API stand-in that authorizes by the synthesized Role and RoleBinding (kube-api-stand-in.ts).
 */
const missing = replicasMissing();
if (missing) warnReplicasMissing("the team MLflow Job against two MLflow servers", missing);
failWhenMissingInCi("Team MLflow Job against MLflow", missing);

const EXPERIMENTS = "/api/2.0/mlflow/experiments";
const MODELS = "/api/2.0/mlflow/registered-models";

describe.skipIf(!!missing)("the team MLflow Job against two MLflow replicas sharing one auth store", () => {
  let r: Replicas;
  let dir: string;
  const standIns: KubeApiStandIn[] = [];

  beforeAll(async () => {
    r = await startReplicas({ auth: { defaultPermission: "NO_PERMISSIONS" } });
    dir = mkdtempSync(join(tmpdir(), "mlflow-team-"));
  }, 300_000);
  afterAll(async () => {
    await Promise.all(standIns.map((s) => s.close()));
    await r?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const teamJson = (team: string): SynthJson =>
    synthTeamMlflow({ ...TEAM_PROPS, team, namespace: `team-${team}-dev` });

  /** The Job's service account, as the pod spec names it. */
  const serviceAccount = (json: SynthJson, job: string) => {
    const spec = named(json, "kubernetes_job_v1", job);
    return {
      namespace: spec.metadata.namespace,
      name: resolveName(json, spec.spec.template.spec.service_account_name),
    };
  };

  async function standIn(json: SynthJson, job: string): Promise<KubeApiStandIn> {
    const s = await startKubeApiStandIn(json, serviceAccount(json, job), join(dir, `sa-${standIns.length}`));
    standIns.push(s);
    return s;
  }

  /**
   * Runs the synthesized Job's container against replica A and `api`. Asynchronously: the stand-in answers from
   * this process's event loop.
   */
  async function runJob(
    json: SynthJson,
    team: string,
    api: KubeApiStandIn,
    secrets: ClusterSecrets = r.secrets,
  ) {
    const names = teamMlflowNames(team, "dev");
    const { argv, env } = jobProcess(json, names.job, secrets, join(dir, team));
    expect(env.MLFLOW_TRACKING_URI).toBe("http://mlflow.mlflow.svc:5000");
    const [bin, ...args] = argv;
    expect(bin).toBe("python");
    const [a] = r.replicas;
    return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        join(dirname(MLFLOW_BIN as string), "python"),
        args,
        {
          env: {
            PATH: process.env.PATH ?? "",
            ...env,
            MLFLOW_TRACKING_URI: `http://127.0.0.1:${a.port}`,
            KUBERNETES_SERVICE_HOST: "127.0.0.1",
            KUBERNETES_SERVICE_PORT: String(api.port),
            SERVICEACCOUNT_DIR: api.serviceAccountDir,
          },
          encoding: "utf8",
          timeout: 300_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ status: code, stdout, stderr });
        },
      );
    });
  }

  const credentials = (api: KubeApiStandIn, namespace: string) => {
    const secret = api.secrets.get(`${namespace}/${TEAM_MLFLOW_SECRET}`) as Json;
    const data = Object.fromEntries(
      Object.entries(secret.data as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v, "base64").toString(),
      ]),
    );
    return { data, auth: `${data.MLFLOW_TRACKING_USERNAME}:${data.MLFLOW_TRACKING_PASSWORD}` };
  };
  const asAdmin = (replica: Replica, method: string, path: string, body?: unknown) =>
    request(replica, method, path, { auth: r.admin, body });
  const createExperiment = async (name: string) => {
    const res = await asAdmin(r.replicas[0], "POST", `${EXPERIMENTS}/create`, { name });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.experiment_id as string;
  };
  const tagExperiment = (replica: Replica, auth: string, id: string) =>
    request(replica, "POST", `${EXPERIMENTS}/set-experiment-tag`, {
      auth,
      body: { experiment_id: id, key: "k", value: "v" },
    });

  it("creates the team's user with a password only its Secret holds, and MANAGE on what exists under its prefixes", async () => {
    const [a, b] = r.replicas;
    const legacy = await createExperiment("fraud/legacy");
    const othersExperiment = await createExperiment("risk/scoring");
    for (const name of ["fraud.legacy-model", "risk.model"]) {
      expect((await asAdmin(a, "POST", `${MODELS}/create`, { name })).status).toBe(200);
    }
    const json = teamJson("fraud");
    const api = await standIn(json, "mlflow-team-fraud-dev");
    const run = await runJob(json, "fraud", api);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /team-fraud-dev: MANAGE on 1 experiment\(s\) under 'fraud\/' and 1 model\(s\) under 'fraud\.'/,
    );

    const { data, auth } = credentials(api, "team-fraud-dev");
    expect(data.MLFLOW_TRACKING_USERNAME).toBe("team-fraud-dev");
    expect(data.MLFLOW_TRACKING_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    // The password is nowhere in Terraform.
    expect(JSON.stringify(json)).not.toContain(data.MLFLOW_TRACKING_PASSWORD);

    // Replica B: the team manages its prefix's experiment and model, and sees nothing of another team's.
    expect((await tagExperiment(b, auth, legacy)).status).toBe(200);
    const model = await request(b, "PATCH", `${MODELS}/update`, {
      auth,
      body: { name: "fraud.legacy-model", description: "ours" },
    });
    expect(model.status, JSON.stringify(model.body)).toBe(200);
    expect(
      (await request(b, "GET", `${EXPERIMENTS}/get?experiment_id=${othersExperiment}`, { auth })).status,
    ).toBe(403);
    expect((await tagExperiment(b, auth, othersExperiment)).status).toBe(403);
    expect(
      (
        await request(b, "PATCH", `${MODELS}/update`, {
          auth,
          body: { name: "risk.model", description: "x" },
        })
      ).status,
    ).toBe(403);
    // What the team creates (through either replica) it manages.
    const created = await request(b, "POST", `${EXPERIMENTS}/create`, { auth, body: { name: "fraud/new" } });
    expect(created.status).toBe(200);
    expect((await tagExperiment(a, auth, created.body.experiment_id)).status).toBe(200);
  }, 300_000);

  it("is idempotent: a second run keeps the Secret's password, and the Secret wins over a changed password", async () => {
    const [a, b] = r.replicas;
    const json = teamJson("fraud");
    const api = standIns[0];
    const before = credentials(api, "team-fraud-dev");
    // Someone changed the team's password in MLflow: the next run puts the Secret's back.
    const drift = await asAdmin(a, "PATCH", "/api/2.0/mlflow/users/update-password", {
      username: "team-fraud-dev",
      password: "Drifted-pw-1234567890",
    });
    expect(drift.status).toBe(200);
    expect(
      (await request(b, "GET", `${EXPERIMENTS}/search?max_results=1`, { auth: before.auth })).status,
    ).toBe(401);
    const run = await runJob(json, "fraud", api);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(credentials(api, "team-fraud-dev").data).toEqual(before.data);
    expect(
      (await request(b, "GET", `${EXPERIMENTS}/search?max_results=1`, { auth: before.auth })).status,
    ).toBe(200);
  }, 300_000);

  it("fails when the admin credentials are wrong, and creates no MLflow user", async () => {
    const json = teamJson("risk");
    const api = await standIn(json, "mlflow-team-risk-dev");
    const wrong = { ...r.secrets, [MLFLOW_SECRETS.admin]: { username: "admin", password: "wrong" } };
    const run = await runJob(json, "risk", api, wrong);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/HTTP 401/);
    const user = await asAdmin(r.replicas[1], "GET", "/api/2.0/mlflow/users/get?username=team-risk-dev");
    expect(user.status).toBe(404);
  }, 300_000);

  it("fails when its service account may not write the team's Secret (RBAC as synthesized, nothing else)", async () => {
    const json = teamJson("ops");
    // The stand-in authorizes by the synthesized RBAC: without the RoleBinding the Job is refused.
    const unbound: SynthJson = JSON.parse(JSON.stringify(json));
    delete unbound.resource?.kubernetes_role_binding_v1;
    const api = await standIn(unbound, "mlflow-team-ops-dev");
    const run = await runJob(json, "ops", api);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/HTTP 403/);
    expect(api.denied).toEqual(["get team-ops-dev/mlflow-credentials"]);
  }, 300_000);
});
