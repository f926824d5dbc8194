import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { MLFLOW_AUTH_DATABASE } from "../../../../constructs/addons/mlflow";
import { schemasLocation } from "../../../../scripts/validation";
import { failWhenMissingInCi } from "../../../support/ci";
import { type Replicas, replicasMissing, request, startReplicas, warnReplicasMissing } from "./replicas";

/**
 * The add-on's two replicas as two real MLflow servers on one real PostgreSQL (replicas.ts): each configured
 * from the kit's synthesized values as the chart configures a pod (chart-server.ts: the auth INI the chart
 * renders and its init container fills from the Secrets, the env and args of the server container), the
 * databases made by the add-on's own bootstrap Jobs. Proves the host allow-list, basic auth with the admin
 * Secret, and that users and permissions live in the shared auth database: what one replica creates, the
 * other authenticates and enforces.
 */
const INGRESS_HOST = "mlflow.internal.example.com";
const missing = replicasMissing();
if (missing) warnReplicasMissing("MLflow add-on server tests", missing);
failWhenMissingInCi("MLflow server", missing);

const EXPERIMENTS = "/api/2.0/mlflow/experiments";
const search = `${EXPERIMENTS}/search?max_results=1`;

describe.skipIf(!!missing)("MLflow replicas configured from the kit's values, one auth database", () => {
  let r: Replicas;
  beforeAll(async () => {
    r = await startReplicas({
      ingress: { host: INGRESS_HOST, certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" },
    });
  }, 300_000);
  afterAll(async () => {
    await r?.stop();
  });

  it("runs the MLflow the chart deploys (the test venv pins the chart's appVersion)", () => {
    const dir = schemasLocation().dir as string;
    const chart = parseYaml(readFileSync(join(dir, "charts", "mlflow", "Chart.yaml"), "utf8"));
    const pins = readFileSync(new URL("./server-requirements.txt", import.meta.url), "utf8");
    expect(pins).toContain(`mlflow[auth]==${chart.appVersion}\n`);
  });

  it("migrates on a first install without a race: both pods' migration init containers, started at once, exit 0 and one after the other", () => {
    const [a, b] = r.migrations;
    // They really ran at the same time...
    expect(Math.max(a.startedAt, b.startedAt)).toBeLessThan(Math.min(a.endedAt, b.endedAt));
    for (const m of r.migrations) {
      expect(m.status, m.output).toBe(0);
      expect(m.output).toMatch(/waiting for the migration lock[\s\S]*schemas at head/);
    }
    // ...and only the first to get the lock found the tracking database empty; the other found it migrated.
    const created = r.migrations.filter((m) => m.output.includes("Creating initial MLflow database tables"));
    expect(created).toHaveLength(1);
  });

  it("keeps users and permissions in mlflow_auth on the MLflow instance, owned by its own role", () => {
    const auth = r.values.auth;
    expect(auth.postgres).toMatchObject({
      enabled: true,
      host: r.rdsAddress,
      database: MLFLOW_AUTH_DATABASE,
      existingSecret: { name: "mlflow-auth-db" },
    });
    expect(auth.sqliteFile).toBeUndefined();
    // MLflow created its auth tables there (not in the backend's database), as the role of the auth Secret.
    const owner = r.postgres.asSuperuser(
      "SELECT tableowner FROM pg_tables WHERE tablename IN ('users', 'alembic_version_auth') ORDER BY tablename",
      MLFLOW_AUTH_DATABASE,
    );
    expect(owner.stdout.trim().split("\n")).toEqual(["mlflow_auth", "mlflow_auth"]);
    const backend = r.postgres.asSuperuser(
      "SELECT count(*) FROM pg_tables WHERE tablename = 'users'",
      "mlflow",
    );
    expect(backend.stdout.trim()).toBe("0");
    const ssl = r.postgres.asSuperuser(
      "SELECT DISTINCT usename || '=' || ssl FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE usename LIKE 'mlflow%' ORDER BY 1",
    );
    expect(ssl.stdout.trim().split("\n")).toEqual(["mlflow=true", "mlflow_auth=true"]);
  });

  it("admits the Service names, pod IPs in private ranges and the ingress host", async () => {
    const [a] = r.replicas;
    for (const host of [
      "mlflow.mlflow.svc:5000",
      "mlflow.mlflow.svc.cluster.local:5000",
      "mlflow:5000",
      "10.0.3.7:5000",
      "172.31.2.2:5000",
      "192.168.1.9:5000",
      INGRESS_HOST,
      `localhost:${a.port}`,
    ]) {
      expect([host, (await request(a, "GET", search, { auth: r.admin, host })).status]).toEqual([host, 200]);
    }
  }, 120_000);

  it("answers 403 for other Host headers (DNS rebinding protection stays on)", async () => {
    const [a] = r.replicas;
    for (const host of ["evil.example.com", "172.32.0.1:5000", "mlflow.other.svc:5000", "8.8.8.8:5000"]) {
      expect([host, (await request(a, "GET", search, { auth: r.admin, host })).status]).toEqual([host, 403]);
    }
  }, 60_000);

  it("answers 401 without or with wrong credentials on both replicas, and serves the admin from its Secret", async () => {
    for (const replica of r.replicas) {
      expect((await request(replica, "GET", search)).status).toBe(401);
      expect((await request(replica, "GET", search, { auth: "admin:wrong" })).status).toBe(401);
      expect((await request(replica, "GET", search, { auth: r.admin })).status).toBe(200);
    }
  }, 60_000);

  it("a user and a permission created through one replica are authenticated and enforced by the other", async () => {
    const [a, b] = r.replicas;
    const alice = "alice:Alice-pw-1234567890";
    const created = await request(a, "POST", "/api/2.0/mlflow/users/create", {
      auth: r.admin,
      body: { username: "alice", password: "Alice-pw-1234567890" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const experiment = async (name: string) => {
      const res = await request(a, "POST", `${EXPERIMENTS}/create`, { auth: r.admin, body: { name } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.experiment_id as string;
    };
    const granted = await experiment("shared/granted");
    const other = await experiment("shared/other");
    // MLflow 3.15's per-user grant API (the 2.0 experiments/permissions/* endpoints are gone since RBAC).
    const grant = await request(a, "POST", "/api/3.0/mlflow/users/permissions/grant", {
      auth: r.admin,
      body: { username: "alice", resource_type: "experiment", resource_id: granted, permission: "EDIT" },
    });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);

    const tag = (id: string) =>
      request(b, "POST", `${EXPERIMENTS}/set-experiment-tag`, {
        auth: alice,
        body: { experiment_id: id, key: "owner", value: "alice" },
      });
    // B knows alice (from A), lets her read (default READ), edit the granted experiment, and nothing more.
    expect(
      (await request(b, "GET", `${EXPERIMENTS}/get?experiment_id=${other}`, { auth: alice })).status,
    ).toBe(200);
    expect((await tag(granted)).status).toBe(200);
    expect((await tag(other)).status).toBe(403);
    expect(
      (
        await request(b, "POST", "/api/2.0/mlflow/users/create", {
          auth: alice,
          body: { username: "mallory", password: "Mallory-pw-1234567890" },
        })
      ).status,
    ).toBe(403);
    // A user nobody created is refused by both.
    for (const replica of r.replicas) {
      expect((await request(replica, "GET", search, { auth: "bob:Bob-pw-1234567890" })).status).toBe(401);
    }
    // And the other way round: B's user exists on A.
    const fromB = await request(b, "POST", "/api/2.0/mlflow/users/create", {
      auth: r.admin,
      body: { username: "carol", password: "Carol-pw-1234567890" },
    });
    expect(fromB.status).toBe(200);
    expect((await request(a, "GET", search, { auth: "carol:Carol-pw-1234567890" })).status).toBe(200);
  }, 120_000);
});
