import { TerraformOutput } from "cdktf";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { MLFLOW_PORT, type MlflowOutputs } from "../../../../constructs/addons/mlflow";
import { TEST_DATA_LAKE, TEST_PLATFORM } from "../../../support/cluster";
import { dataOf, onlyResource, resourcesOf } from "../../../support/synth";
import { probeAddOn } from "../external-secrets/support";
import { type Json, manifests, mlflowRelease, mlflowValues, synthMlflow } from "./support";

// Literals of test/support/cluster.ts, written out so a construct reading the wrong field fails.
const PLATFORM_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const CLUSTER_SG = "sg-0123456789abcdef0";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const MODELS_BUCKET = "acme-dev-models-123456789012-eu-west-1";

/** Every value under a key named like a password, anywhere in the JSON (Helm values YAML included). */
function passwordValues(node: unknown): unknown[] {
  if (typeof node === "string" && /^[a-z]+:\s|\n/.test(node) && node.includes("\n")) {
    try {
      return passwordValues(parseYaml(node));
    } catch {
      return []; // not YAML (e.g. the migration's Python script inside the values)
    }
  }
  if (Array.isArray(node)) return node.flatMap(passwordValues);
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([k, v]) =>
    /^(password|password_wo|master_password|adminPassword|awsSecretAccessKey)$/i.test(k) &&
    typeof v !== "object"
      ? v === ""
        ? []
        : [v]
      : passwordValues(v),
  );
}

/** Surfaces outputs (tokens) as Terraform outputs so tests can read what they reference. */
const outputsProbe = probeAddOn("probe", ["mlflow"], (c) => {
  const o = c.outputsOf<MlflowOutputs>("mlflow");
  new TerraformOutput(c.scope, "tracking", { value: o.trackingUri });
  new TerraformOutput(c.scope, "artifacts", { value: o.artifactLocation });
  new TerraformOutput(c.scope, "dbAddress", { value: o.databaseAddress });
  return {};
});

describe("MLflow add-on: database", () => {
  const { json } = synthMlflow();
  const db = onlyResource(json, "aws_db_instance") as Json;

  it("is PostgreSQL encrypted with the platform key, not public, in a private subnet group", () => {
    expect(db.engine).toBe("postgres");
    expect(db.storage_encrypted).toBe(true);
    expect(db.kms_key_id).toBe(PLATFORM_KEY);
    expect(db.publicly_accessible).toBe(false);
    expect((onlyResource(json, "aws_db_subnet_group") as Json).subnet_ids).toEqual(
      TEST_PLATFORM.privateSubnetIds,
    );
  });

  it("keeps >= 7 days of backups, deletion protection and prevent_destroy outside sandboxes", () => {
    expect(db.backup_retention_period).toBeGreaterThanOrEqual(7);
    expect(db.deletion_protection).toBe(true);
    expect(db.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("is single-AZ in dev by default and Multi-AZ by config", () => {
    expect(db.multi_az).toBe(false);
    const prodLike = synthMlflow({ database: { multiAz: true } });
    expect((onlyResource(prodLike.json, "aws_db_instance") as Json).multi_az).toBe(true);
  });

  it("has an RDS-managed master secret: no password attribute anywhere in the synthesized JSON", () => {
    expect(db.manage_master_user_password).toBe(true);
    expect(db.master_user_secret_kms_key_id).toBe(PLATFORM_KEY);
    // The only `password` keys allowed are ESO template references, resolved inside the cluster.
    expect(passwordValues(json).filter((v) => v !== "{{ .password }}")).toEqual([]);
    expect(db.password).toBeUndefined();
    // The walker sees into Helm values YAML: a leaked value would be found.
    expect(passwordValues({ values: ["backendStore:\n  postgres:\n    password: leaked\n"] })).toEqual([
      "leaked",
    ]);
    expect(JSON.stringify(json)).not.toMatch(
      /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|awsAccessKeyId":\s*"[^"]/,
    );
  });

  it("admits only the EKS cluster security group on 5432", () => {
    const rules = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")) as Json[];
    expect(rules.map((r) => [r.referenced_security_group_id, r.from_port, r.to_port, r.cidr_ipv4])).toEqual([
      [CLUSTER_SG, 5432, 5432, undefined],
    ]);
  });
});

describe("MLflow add-on: server identity and artifacts", () => {
  const { json } = synthMlflow();
  const docs = Object.values(dataOf(json, "aws_iam_policy_document")) as Json[];

  it("trusts exactly system:serviceaccount:mlflow:mlflow with the sts audience (IRSA)", () => {
    const trusts = docs.filter((d) =>
      JSON.stringify(d.statement[0].condition ?? []).includes('system:serviceaccount:mlflow:mlflow"'),
    );
    expect(trusts).toHaveLength(1);
    expect(trusts[0].statement[0].actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(trusts[0].statement[0].condition).toEqual([
      { test: "StringEquals", variable: `${ISSUER}:sub`, values: ["system:serviceaccount:mlflow:mlflow"] },
      { test: "StringEquals", variable: `${ISSUER}:aud`, values: ["sts.amazonaws.com"] },
    ]);
  });

  it("grants exactly the data lake's read+write statements for the models zone under mlflow/", () => {
    const artifacts = docs.find((d) => JSON.stringify(d).includes(MODELS_BUCKET)) as Json;
    const expected = [
      ...TEST_DATA_LAKE.policyStatements("read", "models", "mlflow/"),
      ...TEST_DATA_LAKE.policyStatements("write", "models", "mlflow/"),
    ];
    expect(artifacts.statement).toEqual(expected);
    for (const s of artifacts.statement as Json[]) {
      for (const r of s.resources)
        expect(r).toMatch(new RegExp(`^arn:aws:s3:::${MODELS_BUCKET}(/mlflow/\\*)?$`));
    }
    expect(JSON.stringify(docs)).not.toMatch(/acme-dev-(raw|curated|features)-/);
  });

  it("annotates the chart's service account with the role and proxies artifacts to s3://models/mlflow", () => {
    const v = mlflowValues(json);
    expect(v.serviceAccount).toMatchObject({ create: true, name: "mlflow" });
    expect(v.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toMatch(/aws_iam_role\.[\w-]+\.arn/);
    expect(v.artifactRoot).toEqual({
      proxiedArtifactStorage: true,
      s3: { enabled: true, bucket: MODELS_BUCKET, path: "mlflow" },
    });
    expect(v.minio).toEqual({ enabled: false });
    expect(JSON.stringify(v.artifactRoot)).not.toMatch(/awsAccessKeyId|existingSecret/);
  });
});

describe("MLflow add-on: secrets reach the pod only through External Secrets", () => {
  const { json } = synthMlflow();
  const v = mlflowValues(json);

  it("points the chart at MLflow's own database role Secret and leaves user/password empty", () => {
    expect(v.backendStore.postgres).toMatchObject({
      enabled: true,
      port: 5432,
      database: "mlflow",
      user: "",
      password: "",
    });
    expect(v.backendStore.postgres.host).toMatch(/aws_db_instance\.[\w-]+\.address/);
    expect(v.backendStore.existingDatabaseSecret).toEqual({
      name: "mlflow-db",
      usernameKey: "username",
      passwordKey: "password",
    });
    // The chart's Secret holds MLflow's own role, generated in the cluster (hex, never rotated by ESO).
    const app = manifests(json, "ExternalSecret").find((m) => m.metadata.name === "mlflow-db") as Json;
    expect(app.spec.refreshPolicy).toBe("CreatedOnce");
    expect(app.spec.target.template.data).toEqual({ username: "mlflow" });
    const gen = manifests(json, "Password").find(
      (m) => m.metadata.name === app.spec.dataFrom[0].sourceRef.generatorRef.name,
    ) as Json;
    expect(gen.spec).toMatchObject({ length: 32, encoding: "hex", symbols: 0 });
    // The master secret is synced only for the bootstrap Job.
    const master = manifests(json, "ExternalSecret").find(
      (m) => m.metadata.name === "mlflow-db-master",
    ) as Json;
    expect(master.metadata.namespace).toBe("mlflow");
    expect(master.spec.dataFrom[0].extract.key).toMatch(/master_user_secret\[0\]\.secret_arn/);
    expect(master.spec.target.template.data).toEqual({
      username: "{{ .username }}",
      password: "{{ .password }}",
    });
  });

  it("requires TLS to the database (migrations: migration.test.ts)", () => {
    expect(v.extraEnvVars.PGSSLMODE).toBe("require");
  });

  it("uses basic auth by default with an in-cluster generated admin password", () => {
    expect(v.auth).toMatchObject({
      enabled: true,
      existingAdminSecret: { name: "mlflow-admin", usernameKey: "username", passwordKey: "password" },
    });
    expect(v.auth.adminPassword).toBeUndefined();
    const gen = manifests(json, "Password").find((m) => m.metadata.name.startsWith("mlflow-admin")) as Json;
    expect(gen.metadata.namespace).toBe("mlflow");
    expect(gen.spec).toMatchObject({ length: 32, symbols: 0 });
    expect(v.oidcAuth).toEqual({ enabled: false });
  });

  it("keeps the basic-auth store in its own database mlflow_auth on the same instance, with its own role", () => {
    expect(v.auth.sqliteFile).toBeUndefined();
    expect(v.auth.postgres).toEqual({
      enabled: true,
      host: v.backendStore.postgres.host,
      port: v.backendStore.postgres.port,
      database: "mlflow_auth",
      driver: "psycopg2",
      existingSecret: { name: "mlflow-auth-db", usernameKey: "username", passwordKey: "password" },
    });
    // Its role's password is generated in the cluster like the backend's; a bootstrap Job creates role and database.
    const app = manifests(json, "ExternalSecret").find((m) => m.metadata.name === "mlflow-auth-db") as Json;
    expect(app.spec.target.template.data).toEqual({ username: "mlflow_auth" });
    const job = (Object.values(json.resource?.kubernetes_job_v1 ?? {}) as Json[]).find(
      (j) => j.metadata.name === "mlflow-auth-db-bootstrap",
    ) as Json;
    const env = Object.fromEntries(
      (job.spec.template.spec.container[0].env as Json[]).map((e) => [e.name, e.value ?? e.value_from]),
    );
    expect(env).toMatchObject({
      APP_DB_USER: "mlflow_auth",
      APP_DB_NAME: "mlflow_auth",
      APP_DB_PASSWORD: { secret_key_ref: { name: "mlflow-auth-db", key: "password" } },
      PGHOST: v.backendStore.postgres.host,
    });
  });

  it("switches to OIDC with the client secret synced from Secrets Manager", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mlflow-oidc-AbCdEf";
    const { json: j } = synthMlflow({
      auth: {
        mode: "oidc",
        oidc: {
          discoveryUrl: "https://idp.example.com/.well-known/openid-configuration",
          clientId: "mlflow",
          clientSecretArn: arn,
        },
      },
    });
    const o = mlflowValues(j);
    expect(o.auth.enabled).toBe(false);
    expect(o.oidcAuth).toMatchObject({
      enabled: true,
      clientId: "mlflow",
      existingSecret: { name: "mlflow-oidc", clientSecretKey: "OIDC_CLIENT_SECRET" },
    });
    const es = manifests(j, "ExternalSecret").find((m) => m.metadata.name === "mlflow-oidc") as Json;
    expect(es.spec.dataFrom).toEqual([{ extract: { key: arn } }]);
    expect(manifests(j, "Password").map((m) => m.metadata.name)).toEqual(["mlflow-db-0"]);
    // No basic-auth store with OIDC: no auth database, role or Job.
    expect(manifests(j, "ExternalSecret").map((m) => m.metadata.name)).not.toContain("mlflow-auth-db");
  });
});

describe("MLflow add-on: pods and network", () => {
  const { json } = synthMlflow({}, { monitoring: true });
  const v = mlflowValues(json);
  const policies = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as Json[];
  const named = (name: string) => policies.find((p) => p.metadata.name === name) as Json;

  it("sets PSS-restricted pod and container security contexts", () => {
    expect(v.podSecurityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(v.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("admits port 5000 only from platform namespaces", () => {
    const p = named("allow-ingress-tracking");
    expect(p.spec.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { "mlops.io/platform": "true" } } }],
        ports: [{ port: String(MLFLOW_PORT), protocol: "TCP" }],
      },
    ]);
    expect(p.spec.pod_selector.match_labels).toEqual({
      "app.kubernetes.io/name": "mlflow",
      "app.kubernetes.io/instance": "mlflow",
    });
  });

  it("allows egress to the database port within the VPC and HTTPS", () => {
    expect(named("allow-egress-database").spec.egress).toEqual([
      { to: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "5432", protocol: "TCP" }] },
    ]);
    expect(named("allow-egress-aws-apis").spec.egress).toEqual([
      { ports: [{ port: "443", protocol: "TCP" }] },
    ]);
  });

  it("adds its own PodMonitor and a writable metrics dir with monitoring, never the chart's ServiceMonitor", () => {
    expect(v.serviceMonitor).toBeUndefined();
    expect(v.extraVolumeMounts).toEqual([{ name: "prometheus-metrics", mountPath: "/mlflow/metrics" }]);
    const own = (j: typeof json) =>
      manifests(j, "PodMonitor").filter((m) => m.metadata.namespace === "mlflow");
    expect(own(json)).toEqual([
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "mlflow", namespace: "mlflow" },
        spec: {
          selector: {
            matchLabels: { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": "mlflow" },
          },
          namespaceSelector: { matchNames: ["mlflow"] },
          podMetricsEndpoints: [{ portNumber: MLFLOW_PORT, path: "/metrics", interval: "30s" }],
        },
      },
    ]);
    const without = synthMlflow().json;
    expect(mlflowValues(without).serviceMonitor).toBeUndefined();
    expect(own(without)).toEqual([]);
  });

  it("installs the pinned chart without waiting (its Secrets come from the later manifests stack)", () => {
    const r = mlflowRelease(json);
    expect(r).toMatchObject({
      chart: "mlflow",
      version: "1.11.5",
      repository: "https://community-charts.github.io/helm-charts",
      namespace: "mlflow",
      atomic: false,
      wait: false,
    });
  });

  it("adds an internal ALB ingress when configured: VPC only, HTTPS with HTTP redirected, ip targets", () => {
    const { json: j, outputs } = synthMlflow({
      ingress: {
        host: "mlflow.internal.example.com",
        certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
      },
    });
    const i = mlflowValues(j).ingress;
    expect(i).toMatchObject({
      enabled: true,
      className: "alb",
      hosts: [{ host: "mlflow.internal.example.com", paths: [{ path: "/", pathType: "Prefix" }] }],
    });
    expect(i.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/inbound-cidrs": TEST_PLATFORM.vpcCidr,
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
      "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
      "alb.ingress.kubernetes.io/backend-protocol": "HTTP",
      "alb.ingress.kubernetes.io/healthcheck-path": "/health",
    });
    expect(i.annotations["alb.ingress.kubernetes.io/group.name"]).toBeUndefined();
    expect(mlflowValues(j).serverAllowedHosts).toContain("mlflow.internal.example.com");
    expect(outputs.externalUrl).toBe("https://mlflow.internal.example.com");
    // The ALB's ENIs reach the pods from the VPC, on the tracking port only.
    const lb = (Object.values(resourcesOf(j, "kubernetes_network_policy_v1")) as Json[]).find(
      (p) => p.metadata.name === "allow-ingress-load-balancer",
    ) as Json;
    expect(lb.spec.ingress).toEqual([
      { from: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "5000", protocol: "TCP" }] },
    ]);
    expect(lb.spec.pod_selector.match_labels).toEqual({
      "app.kubernetes.io/name": "mlflow",
      "app.kubernetes.io/instance": "mlflow",
    });
    // Installed after the controller, whose webhook validates the Ingress.
    const controller = Object.keys(resourcesOf(j, "helm_release")).find((k) =>
      k.includes("aws-load-balancer-controller_Release"),
    ) as string;
    expect(controller).toBeDefined();
    expect(mlflowRelease(j).depends_on).toContain(`helm_release.${controller}`);
  });

  it("makes an internet-facing ALB only for the listed CIDRs, in a shared group", () => {
    const i = mlflowValues(
      synthMlflow({
        ingress: {
          host: "mlflow.example.com",
          certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
          scheme: "internet-facing",
          allowedCidrs: ["203.0.113.0/24"],
          groupName: "platform-uis",
        },
      }).json,
    ).ingress;
    expect(i.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internet-facing",
      "alb.ingress.kubernetes.io/inbound-cidrs": "203.0.113.0/24",
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/group.name": "platform-uis",
    });
  });

  it("has no ingress, no load balancer policy and no controller dependency without one", () => {
    expect(mlflowValues(json).ingress).toBeUndefined();
    expect(named("allow-ingress-load-balancer")).toBeUndefined();
  });
});

describe("MLflow add-on: outputs", () => {
  const { json, outputs } = synthMlflow({}, { extra: [outputsProbe] });

  it("exports the tracking URI, artifact location and database address", () => {
    expect(outputs.trackingUri).toBe("http://mlflow.mlflow.svc:5000");
    expect(outputs.artifactLocation).toBe(`s3://${MODELS_BUCKET}/mlflow`);
    const out = Object.values(json.output ?? {}) as Json[];
    expect(out.map((o) => o.value)).toContainEqual(
      expect.stringMatching(/^\$\{aws_db_instance\.[\w-]+\.address\}$/),
    );
    expect(JSON.stringify(json.output)).not.toMatch(/secret_arn|password/);
  });
});
