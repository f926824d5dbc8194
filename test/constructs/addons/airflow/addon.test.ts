import { describe, expect, it } from "vitest";
import { AIRFLOW_LOG_ACCESS } from "../../../../constructs/addons/airflow";
import type { AirflowConfigInput } from "../../../../constructs/addons/airflow/config";
import { CHARTS, PLATFORM_NAMESPACE_LABEL } from "../../../../constructs/core";
import { onlyResource, resourcesOf, type SynthJson } from "../../../support/synth";
import {
  type Json,
  manifestNamed,
  manifests,
  monitoringStub,
  policies,
  policyNamed,
  strings,
  synthAirflow,
  TEST_GIT,
  valuesOf,
} from "./support";

const BASE: AirflowConfigInput = { enabled: true, gitSync: TEST_GIT };
const GITHUB_HOST_KEY =
  "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const RAW_BUCKET = "arn:aws:s3:::acme-dev-raw-123456789012-eu-west-1";

/** `${aws_iam_role.X.arn}` → X */
function roleIdOf(ref: string): string {
  const m = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(ref);
  if (!m) throw new Error(`not a role ARN reference: ${ref}`);
  return m[1] as string;
}

/** `${data.aws_iam_policy_document.X.json}` → the document's config. */
function documentOf(json: SynthJson, ref: string): Json {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(ref);
  if (!m) throw new Error(`not a policy document reference: ${ref}`);
  return json.data?.aws_iam_policy_document?.[m[1] as string] as Json;
}

describe("Airflow add-on: chart, executor and namespace", () => {
  const { json, outputs } = synthAirflow(BASE);
  const values = valuesOf(json);

  it("installs the pinned official chart into a PSS-restricted airflow namespace", () => {
    expect(onlyResource(json, "helm_release")).toMatchObject({
      chart: "airflow",
      repository: "https://airflow.apache.org",
      version: CHARTS.airflow.version,
      namespace: "airflow",
      name: "airflow",
      // Pods start only once ESO (applied after the add-ons) has created their Secrets: no waiting.
      atomic: false,
      wait: false,
    });
    expect(CHARTS.airflow.version).toBe("1.22.0");
    const ns = onlyResource(json, "kubernetes_namespace_v1") as Json;
    expect(ns.metadata.name).toBe("airflow");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("runs the KubernetesExecutor without Redis, bundled PostgreSQL or PgBouncer", () => {
    expect(values.executor).toBe("KubernetesExecutor");
    expect(values.redis).toEqual({ enabled: false });
    expect(values.postgresql).toEqual({ enabled: false });
    expect(values.pgbouncer).toEqual({ enabled: false });
  });

  it("gives every chart pod a PSS-restricted security context (pod and containers, statsd and git-sync too)", () => {
    const restrictedContainer = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    };
    expect(values.securityContexts.containers).toEqual(restrictedContainer);
    expect(values.securityContexts.pod).toMatchObject({ runAsNonRoot: true, runAsUser: 50000 });
    for (const c of ["scheduler", "apiServer", "triggerer", "dagProcessor", "workers", "statsd"]) {
      expect(values[c].securityContexts.pod.runAsNonRoot, c).toBe(true);
      expect(values[c].securityContexts.pod.runAsUser, c).toBeGreaterThan(0);
      expect(values[c].securityContexts.pod.seccompProfile, c).toEqual({ type: "RuntimeDefault" });
      expect(values[c].securityContexts.container, c).toEqual(restrictedContainer);
    }
    expect(values.dags.gitSync.securityContexts.container).toEqual({
      ...restrictedContainer,
      runAsUser: 65533,
    });
  });

  it("creates no default admin user and runs the jobs without Helm hooks (Terraform)", () => {
    expect(values.createUserJob).toEqual({ enabled: false, useHelmHooks: false, applyCustomEnv: false });
    expect(values.migrateDatabaseJob).toMatchObject({ useHelmHooks: false, applyCustomEnv: false });
  });

  it("outputs how to reach the API server", () => {
    expect(outputs.apiServerService).toBe("airflow-api-server");
    expect(outputs.remoteBaseLogFolder).toBe("s3://acme-dev-raw-123456789012-eu-west-1/airflow/logs");
  });

  it("turns Redis on with a non-root security context for the CeleryExecutor", () => {
    const celery = valuesOf(synthAirflow({ ...BASE, executor: "CeleryExecutor" }).json);
    expect(celery.executor).toBe("CeleryExecutor");
    expect(celery.redis.enabled).toBe(true);
    expect(celery.redis.securityContexts.pod).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    expect(celery.workers.persistence).toEqual({ enabled: false });
  });

  it("sizes the containers beside the components: log groomers, statsd, migration Job, git-sync, Redis", () => {
    const requested = (r: { requests?: { cpu?: string; memory?: string } } | undefined) =>
      Boolean(r?.requests?.cpu && r.requests.memory);
    // The presets run neither git-sync nor Celery; container-requests.test.ts covers the rest there.
    const celery = valuesOf(synthAirflow({ ...BASE, executor: "CeleryExecutor" }).json);
    for (const c of ["scheduler", "triggerer", "dagProcessor", "workers"])
      expect(requested(values[c].logGroomerSidecar.resources), c).toBe(true);
    expect(values.apiServer.logGroomerSidecar, "the API server has none").toBeUndefined();
    expect(requested(values.statsd.resources)).toBe(true);
    expect(requested(values.migrateDatabaseJob.resources)).toBe(true);
    expect(requested(values.dags.gitSync.resources)).toBe(true);
    expect(requested(celery.redis.resources)).toBe(true);
  });
});

describe("Airflow add-on: no secrets in values or anywhere in the synthesized stack", () => {
  const { json } = synthAirflow(BASE);
  const values = valuesOf(json);

  it("references the Fernet, API and JWT keys and the metadata connection by Secret name only", () => {
    expect(values.fernetKeySecretName).toBe("airflow-keys");
    expect(values.apiSecretKeySecretName).toBe("airflow-keys");
    expect(values.jwtSecretName).toBe("airflow-keys");
    expect(values.webserverSecretKeySecretName).toBe("airflow-keys");
    expect(values.data).toEqual({ metadataSecretName: "airflow-metadata-db" });
    for (const key of ["fernetKey", "apiSecretKey", "jwtSecret", "webserverSecretKey"]) {
      expect(values, key).not.toHaveProperty(key);
    }
    expect(values.data).not.toHaveProperty("metadataConnection");
  });

  it("generates the keys in the cluster with ESO, once, in the key names the chart reads", () => {
    const keys = manifestNamed(json, "ExternalSecret", "airflow-keys");
    expect(keys.spec.refreshPolicy).toBe("CreatedOnce");
    const targets = keys.spec.dataFrom.map((d: Json) => d.rewrite[0].regexp.target).sort();
    expect(targets).toEqual(["api-secret-key", "fernet-key", "jwt-secret", "webserver-secret-key"]);
    const generators = manifests(json, "Password").filter((m) => m.metadata.name.startsWith("airflow-keys-"));
    const fernet = generators.find(
      (g) => g.metadata.name === keys.spec.dataFrom[0].sourceRef.generatorRef.name,
    );
    // 32 characters, base64-encoded: a 32-byte key, as Fernet requires.
    expect(fernet?.spec).toMatchObject({ length: 32, encoding: "base64", symbols: 0 });
  });

  it("has no password, key or credential value in any string of the stack", () => {
    const all = strings(json);
    const uris = all.filter((s) => /postgres(ql)?(\+[a-z0-9]+)?:\/\//.test(s.value));
    expect(uris.length).toBeGreaterThan(0);
    for (const u of uris) {
      // The only credential in a URI is ESO's placeholder, filled in inside the cluster.
      expect(u.value, u.path).toMatch(
        /^postgresql\+psycopg2:\/\/airflow:\{\{ \.password \| urlquery \| replace "\+" "%20" \}\}@/,
      );
    }
    const suspicious = all.filter(
      (s) =>
        /(BEGIN [A-Z ]*PRIVATE KEY|AKIA[0-9A-Z]{16}|aws_secret_access_key)/i.test(s.value) ||
        /"?(password|secret_key|fernet_key)"?\s*[:=]\s*"?[A-Za-z0-9+/=_-]{8,}/i.test(s.value),
    );
    expect(suspicious).toEqual([]);
    for (const type of ["random_password", "aws_secretsmanager_secret_version", "kubernetes_secret_v1"]) {
      expect(resourcesOf(json, type), type).toEqual({});
    }
    const db = onlyResource(json, "aws_db_instance") as Json;
    expect(db.password).toBeUndefined();
    expect(db.manage_master_user_password).toBe(true);
  });
});

describe("Airflow add-on: task logs in the data lake through IRSA", () => {
  const { json } = synthAirflow(BASE);
  const values = valuesOf(json);
  const roles = resourcesOf(json, "aws_iam_role") as Record<string, Json>;
  const inline = Object.values(resourcesOf(json, "aws_iam_role_policy")) as Json[];

  it("configures remote logging to s3://<raw bucket>/airflow/logs with the aws_default connection and no keys", () => {
    const env = Object.fromEntries(values.env.map((e: Json) => [e.name, e.value]));
    expect(env.AIRFLOW__LOGGING__REMOTE_LOGGING).toBe("True");
    expect(env.AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER).toBe(
      "s3://acme-dev-raw-123456789012-eu-west-1/airflow/logs",
    );
    expect(env.AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID).toBe("aws_default");
    expect(JSON.parse(env.AIRFLOW_CONN_AWS_DEFAULT)).toEqual({
      conn_type: "aws",
      extra: { region_name: "eu-west-1" },
    });
    expect(values.logs.persistence.enabled).toBe(false);
  });

  // Written out, not read from the source: the API server only reads logs, the others write them.
  const expected = {
    scheduler: { serviceAccount: "airflow-scheduler", access: "write" },
    workers: { serviceAccount: "airflow-worker", access: "write" },
    triggerer: { serviceAccount: "airflow-triggerer", access: "write" },
    apiServer: { serviceAccount: "airflow-api-server", access: "read" },
  };
  it("gives exactly these components a logs role", () => {
    expect(Object.keys(AIRFLOW_LOG_ACCESS).sort()).toEqual(Object.keys(expected).sort());
    expect(
      inline
        .filter((p) => String(p.name).startsWith("airflow-logs-"))
        .map((p) => p.name)
        .sort(),
    ).toEqual(["airflow-logs-read", "airflow-logs-write", "airflow-logs-write", "airflow-logs-write"]);
  });

  for (const [component, { serviceAccount, access }] of Object.entries(expected)) {
    it(`gives ${component} (${serviceAccount}) a role trusted only by that service account, with ${access} access to the prefix`, () => {
      const sa = values[component].serviceAccount;
      expect(sa).toMatchObject({ create: true, name: serviceAccount });
      const roleId = roleIdOf(sa.annotations["eks.amazonaws.com/role-arn"]);
      const trust = documentOf(json, roles[roleId]?.assume_role_policy).statement[0];
      expect(trust.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
      const conditions = Object.fromEntries(
        trust.condition.map((c: Json) => [c.variable.split(":").at(-1), c]),
      );
      expect(conditions.sub.values).toEqual([`system:serviceaccount:airflow:${serviceAccount}`]);
      expect(conditions.sub.test).toBe("StringEquals");
      expect(conditions.aud.values).toEqual(["sts.amazonaws.com"]);

      const own = inline.filter((p) => p.role === `\${aws_iam_role.${roleId}.id}`);
      expect(own).toHaveLength(1);
      const statements = documentOf(json, own[0]?.policy).statement as Json[];
      const list = statements.find((s) => s.actions.includes("s3:ListBucket"));
      expect(list?.resources).toEqual([RAW_BUCKET]);
      expect(list?.condition[0].values).toEqual(["airflow/logs/*"]);
      const objects = statements.find((s) => s.actions.includes("s3:GetObject"));
      expect(objects?.resources).toEqual([`${RAW_BUCKET}/airflow/logs/*`]);
      expect(objects?.actions.includes("s3:PutObject")).toBe(access === "write");
      for (const s of statements) {
        for (const r of s.resources) expect(r.startsWith(RAW_BUCKET), r).toBe(true);
      }
    });
  }

  it("gives the DAG processor no AWS role", () => {
    expect(values.dagProcessor.serviceAccount.annotations).toEqual({});
  });

  it("follows a configured zone and prefix", () => {
    const other = synthAirflow({ ...BASE, logs: { zone: "curated", prefix: "ops/airflow-logs/" } }).json;
    const env = Object.fromEntries(valuesOf(other).env.map((e: Json) => [e.name, e.value]));
    expect(env.AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER).toBe(
      "s3://acme-dev-curated-123456789012-eu-west-1/ops/airflow-logs",
    );
    const docs = Object.values(other.data?.aws_iam_policy_document ?? {}) as Json[];
    const objectResources = docs
      .flatMap((d) => d.statement as Json[])
      .filter((s) => s.actions?.includes("s3:GetObject"))
      .flatMap((s) => s.resources);
    expect(new Set(objectResources)).toEqual(
      new Set(["arn:aws:s3:::acme-dev-curated-123456789012-eu-west-1/ops/airflow-logs/*"]),
    );
  });

  it("fails when the log zone is not a data lake zone", () => {
    expect(() => synthAirflow({ ...BASE, logs: { zone: "scratch" } })).toThrow(
      /airflow: logs\.zone "scratch" is not a data lake zone \(zones: raw, curated, features, models\)/,
    );
  });
});

describe("Airflow add-on: DAGs from git-sync", () => {
  it("passes repository, branch/ref, subPath and period to git-sync", () => {
    const values = valuesOf(synthAirflow(BASE).json);
    expect(values.dags.gitSync).toMatchObject({
      enabled: true,
      repo: "https://github.com/acme/dags.git",
      branch: "release/2026-11",
      ref: "release/2026-11",
      subPath: "airflow/dags",
      period: "30s",
      depth: 1,
    });
    expect(values.dags.gitSync.sshKeySecret).toBeUndefined();
  });

  it("uses the SSH key secret and opens port 22 only for ssh repositories", () => {
    const https = synthAirflow(BASE).json;
    expect(policies(https).map((p) => p.metadata.name)).not.toContain("allow-egress-git-ssh");
    const ssh = synthAirflow({
      ...BASE,
      gitSync: {
        repository: "ssh://git@github.com/acme/dags.git",
        sshKeySecretName: "dags-deploy-key",
        knownHosts: GITHUB_HOST_KEY,
      },
    }).json;
    const git = valuesOf(ssh).dags.gitSync;
    expect(git.repo).toBe("git@github.com:acme/dags.git");
    expect(git.sshKeySecret).toBe("dags-deploy-key");
    // Host keys make git-sync verify the server (the chart mounts them as known_hosts).
    expect(git.knownHosts).toBe(GITHUB_HOST_KEY);
    const egress = policyNamed(ssh, "allow-egress-git-ssh");
    expect(egress.spec.egress).toEqual([{ ports: [{ port: "22", protocol: "TCP" }] }]);
    expect(egress.spec.pod_selector).toEqual({ match_labels: { tier: "airflow" } });
  });

  it("deploys no git-sync without gitSync", () => {
    expect(valuesOf(synthAirflow({ enabled: true }).json).dags.gitSync).toEqual({ enabled: false });
  });
});

describe("Airflow add-on: network policies", () => {
  const { json } = synthAirflow(BASE);

  it("lets Airflow pods reach the database in the VPC and HTTPS (S3, STS, Kubernetes API, git)", () => {
    const db = policyNamed(json, "allow-egress-airflow-database");
    expect(db.spec.pod_selector).toEqual({ match_labels: { tier: "airflow" } });
    expect(db.spec.egress).toEqual([
      { to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "5432", protocol: "TCP" }] },
    ]);
    const https = policyNamed(json, "allow-egress-airflow-https");
    expect(https.spec.egress).toEqual([{ ports: [{ port: "443", protocol: "TCP" }] }]);
  });

  it("admits the API server only from platform namespaces on its port", () => {
    const api = policyNamed(json, "allow-ingress-api-server");
    expect(api.spec.pod_selector.match_labels).toMatchObject({ component: "api-server", tier: "airflow" });
    expect(api.spec.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }],
        ports: [{ port: "8080", protocol: "TCP" }],
      },
    ]);
  });
});

describe("Airflow add-on: metrics", () => {
  it("exports StatsD metrics, and adds a ServiceMonitor and its ingress rule only with monitoring", () => {
    const without = synthAirflow(BASE);
    expect(valuesOf(without.json).statsd.enabled).toBe(true);
    expect(manifests(without.json, "ServiceMonitor")).toEqual([]);
    expect(without.outputs.serviceMonitor).toBeUndefined();
    expect(policies(without.json).map((p) => p.metadata.name)).not.toContain("allow-ingress-statsd-metrics");

    const withMonitoring = synthAirflow(BASE, [monitoringStub]);
    const sm = manifestNamed(withMonitoring.json, "ServiceMonitor", "airflow-statsd");
    expect(sm.metadata.namespace).toBe("airflow");
    expect(sm.spec.selector.matchLabels).toEqual({
      tier: "airflow",
      release: "airflow",
      component: "statsd",
    });
    expect(sm.spec.endpoints).toEqual([{ port: "statsd-scrape", path: "/metrics", interval: "30s" }]);
    const ingress = policyNamed(withMonitoring.json, "allow-ingress-statsd-metrics");
    expect(ingress.spec.ingress[0].ports).toEqual([{ port: "9102", protocol: "TCP" }]);
  });
});
