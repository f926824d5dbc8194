import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHARTS, PLATFORM_NAMESPACE_LABEL } from "../../../../constructs/core";
import { TEST_DATA_LAKE, TEST_PLATFORM } from "../../../support/cluster";
import { dataOf, onlyResource, resourcesOf, type SynthJson } from "../../../support/synth";
import { all, type Json, manifests, monitoringStub, named, synthKfp } from "./support";

const BUCKET = "acme-dev-curated-123456789012-eu-west-1";
const KMS = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const WORKLOADS = ["kubernetes_deployment_v1", "kubernetes_stateful_set_v1"];
const STATIC_CREDENTIAL_ENV =
  /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|OBJECTSTORECONFIG_ACCESSKEY|OBJECTSTORECONFIG_SECRETACCESSKEY|MINIO_.*)$/;

const { json, outputs } = synthKfp({ enabled: true });

function workloads(j: SynthJson): Json[] {
  return WORKLOADS.flatMap((t) => all(j, t));
}

function containers(w: Json): Json[] {
  return w.spec.template.spec.container as Json[];
}

function envOf(j: SynthJson, deployment: string): Record<string, Json> {
  const d = named(j, "kubernetes_deployment_v1", deployment);
  return Object.fromEntries((containers(d)[0].env as Json[]).map((e) => [e.name, e]));
}

function argoValues(j: SynthJson): Json {
  return parse((onlyResource(j, "helm_release") as Json).values[0]) as Json;
}

/** The IAM role (and its trust and S3 documents) of one Kubernetes service account. */
function roleOf(j: SynthJson, serviceAccount: string) {
  const roles = Object.entries(resourcesOf(j, "aws_iam_role")) as [string, Json][];
  const found = roles.filter(([, r]) => r.description === `irsa role for kubeflow/${serviceAccount}`);
  if (found.length !== 1) throw new Error(`expected one role for ${serviceAccount}, found ${found.length}`);
  const [id, role] = found[0];
  const docs = dataOf(j, "aws_iam_policy_document") as Record<string, Json>;
  const docId = (ref: string) => /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(ref)?.[1] as string;
  const policies = (Object.values(resourcesOf(j, "aws_iam_role_policy")) as Json[]).filter(
    (p) => p.role === `\${aws_iam_role.${id}.id}`,
  );
  return {
    id,
    trust: docs[docId(role.assume_role_policy)],
    policies: policies.map((p) => ({ name: p.name as string, doc: docs[docId(p.policy)] })),
  };
}

/** TEST_DATA_LAKE's statements in the synthesized (snake_case) form. */
function expectedStatements(access: "read" | "write", zone: string, prefix: string): Json[] {
  return TEST_DATA_LAKE.policyStatements(access, zone, prefix).map((s) => {
    const conditions = (s.condition ?? []) as Json[];
    return {
      actions: s.actions,
      effect: s.effect,
      resources: s.resources,
      ...(conditions.length > 0
        ? { condition: conditions.map((c) => ({ test: c.test, values: c.values, variable: c.variable })) }
        : {}),
    };
  });
}

describe("Kubeflow Pipelines add-on", () => {
  it("runs the KFP components as typed Deployments in a restricted kubeflow namespace", () => {
    const ns = onlyResource(json, "kubernetes_namespace_v1") as Json;
    expect(ns.metadata.name).toBe("kubeflow");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(
      all(json, "kubernetes_deployment_v1")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([
      "metadata-envoy-deployment",
      "metadata-grpc-deployment",
      "metadata-writer",
      "ml-pipeline",
      "ml-pipeline-persistenceagent",
      "ml-pipeline-scheduledworkflow",
      "ml-pipeline-ui",
    ]);
    expect(
      all(json, "kubernetes_service_v1")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["metadata-envoy-service", "metadata-grpc-service", "ml-pipeline", "ml-pipeline-ui"]);
    for (const d of all(json, "kubernetes_deployment_v1")) {
      for (const c of containers(d)) {
        expect(c.image, d.metadata.name).toMatch(/:[0-9][\w.-]*$/);
        expect(c.image_pull_policy, `${d.metadata.name}: tags, not digests, so always re-check them`).toBe(
          "Always",
        );
      }
    }
    expect(containers(named(json, "kubernetes_deployment_v1", "ml-pipeline"))[0].image).toBe(
      "ghcr.io/kubeflow/kfp-api-server:2.17.1",
    );
    const crd = manifests(json, "CustomResourceDefinition");
    expect(crd.map((c) => c.metadata.name)).toEqual(["scheduledworkflows.kubeflow.org"]);
    expect(outputs.apiEndpoint).toBe("http://ml-pipeline.kubeflow.svc.cluster.local:8888");
  });

  it("uses no MinIO or SeaweedFS object anywhere and no static credential env var", () => {
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/minio|seaweed|mlpipeline-minio-artifact/i);
    const names = workloads(json).flatMap((w) =>
      containers(w).flatMap((c) => ((c.env ?? []) as Json[]).map((e) => e.name as string)),
    );
    expect(names.length).toBeGreaterThan(40);
    expect(names.filter((n) => STATIC_CREDENTIAL_ENV.test(n))).toEqual([]);
    const values = argoValues(json);
    expect(values.useStaticCredentials).toBe(false);
    expect(values.artifactRepository.s3.useSDKCreds).toBe(true);
    expect(Object.keys(values.artifactRepository.s3)).not.toContain("accessKeySecret");
    expect(JSON.stringify(values)).not.toMatch(/accessKey|secretKey/);
  });

  it("gives each S3-using service account its own IRSA role trusted only for kubeflow:<sa> and the sts audience", () => {
    for (const sa of ["ml-pipeline", "pipeline-runner", "ml-pipeline-ui"]) {
      const { id, trust } = roleOf(json, sa);
      expect(trust.statement).toHaveLength(1);
      const st = trust.statement[0];
      expect(st.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
      const cond = Object.fromEntries((st.condition as Json[]).map((c) => [c.variable.split(":").pop(), c]));
      expect(cond.sub).toMatchObject({
        test: "StringEquals",
        values: [`system:serviceaccount:kubeflow:${sa}`],
      });
      expect(cond.aud).toMatchObject({ test: "StringEquals", values: ["sts.amazonaws.com"] });
      const account = named(json, "kubernetes_service_account_v1", sa);
      expect(account.metadata.namespace).toBe("kubeflow");
      expect(account.metadata.annotations["eks.amazonaws.com/role-arn"]).toBe(`\${aws_iam_role.${id}.arn}`);
    }
    // Components that never call AWS get no role annotation.
    for (const sa of [
      "ml-pipeline-persistenceagent",
      "ml-pipeline-scheduledworkflow",
      "metadata-grpc-server",
    ]) {
      expect(named(json, "kubernetes_service_account_v1", sa).metadata.annotations).toBeUndefined();
    }
  });

  it("grants each role exactly the data-lake statements of the artifact zone and prefix (runner/api write, UI read)", () => {
    const { json: exact } = synthKfp({ artifacts: { apiServerBucketCheck: false } });
    const cases = [
      ["ml-pipeline", "write"],
      ["pipeline-runner", "write"],
      ["ml-pipeline-ui", "read"],
    ] as const;
    for (const [sa, access] of cases) {
      const { policies } = roleOf(exact, sa);
      expect(policies.map((p) => p.name)).toEqual(["kfp-artifacts"]);
      expect(policies[0].doc.statement).toEqual(expectedStatements(access, "curated", "kfp/"));
    }
    // By default the API server alone may also list the bucket, which its startup HEAD-bucket check needs.
    const checked = json;
    expect(roleOf(checked, "ml-pipeline").policies[0].doc.statement).toEqual([
      ...expectedStatements("write", "curated", "kfp/"),
      {
        sid: "ApiServerBucketCheck",
        effect: "Allow",
        actions: ["s3:ListBucket"],
        resources: [`arn:aws:s3:::${BUCKET}`],
      },
    ]);
    expect(roleOf(checked, "pipeline-runner").policies[0].doc.statement).toEqual(
      expectedStatements("write", "curated", "kfp/"),
    );
    const { json: other } = synthKfp({ artifacts: { zone: "models", prefix: "pipelines/team-a" } });
    const runner = roleOf(other, "pipeline-runner").policies[0].doc;
    expect(runner.statement).toEqual(expectedStatements("write", "models", "pipelines/team-a/"));
    expect(JSON.stringify(runner)).not.toContain("curated");
  });

  it("configures region and an s3:// pipeline root for launcher, driver, API server, UI and Argo", () => {
    const launcher = named(json, "kubernetes_config_map_v1", "kfp-launcher");
    expect(launcher.data.defaultPipelineRoot).toBe(`s3://${BUCKET}/kfp/artifacts`);
    expect(outputs.pipelineRoot).toBe(`s3://${BUCKET}/kfp/artifacts`);
    expect(parse(launcher.data.providers)).toEqual({
      s3: {
        default: {
          endpoint: "s3.eu-west-1.amazonaws.com",
          region: "eu-west-1",
          disableSSL: false,
          forcePathStyle: false,
          credentials: { fromEnv: true },
        },
      },
    });
    const api = envOf(json, "ml-pipeline");
    expect(api.AWS_REGION.value).toBe("eu-west-1");
    expect(api.OBJECTSTORECONFIG_REGION.value).toBe("eu-west-1");
    expect(api.OBJECTSTORECONFIG_HOST.value).toBe("s3.eu-west-1.amazonaws.com");
    expect(api.OBJECTSTORECONFIG_SECURE.value).toBe("true");
    expect(api.OBJECTSTORECONFIG_BUCKETNAME.value).toBe(BUCKET);
    expect(api.OBJECTSTORECONFIG_PIPELINEPATH.value).toBe("kfp/pipelines");
    expect(api.V2_LAUNCHER_IMAGE.value).toBe("ghcr.io/kubeflow/kfp-launcher:2.17.1");
    expect(api.V2_DRIVER_IMAGE.value).toBe("ghcr.io/kubeflow/kfp-driver:2.17.1");
    expect(envOf(json, "ml-pipeline-ui").AWS_REGION.value).toBe("eu-west-1");
    const s3 = argoValues(json).artifactRepository.s3;
    expect(s3).toEqual({
      bucket: BUCKET,
      endpoint: "s3.eu-west-1.amazonaws.com",
      region: "eu-west-1",
      insecure: false,
      useSDKCreds: true,
      keyFormat: "kfp/argo/{{workflow.name}}/{{pod.name}}",
    });
    expect(argoValues(json).executor.env).toContainEqual({ name: "AWS_REGION", value: "eu-west-1" });
  });

  it("keeps MySQL metadata on an encrypted, private, protected RDS instance, credentials only via ESO", () => {
    const db = onlyResource(json, "aws_db_instance") as Json;
    expect(db).toMatchObject({
      engine: "mysql",
      instance_class: "db.t4g.medium",
      storage_encrypted: true,
      kms_key_id: KMS,
      publicly_accessible: false,
      deletion_protection: true,
      backup_retention_period: 7,
      multi_az: false,
      manage_master_user_password: true,
      master_user_secret_kms_key_id: KMS,
    });
    expect(db.password).toBeUndefined();
    expect(db.lifecycle?.prevent_destroy).toBe(true);
    const external = manifests(json, "ExternalSecret");
    expect(external.map((e) => e.spec.target.name)).toEqual(["mysql-secret"]);
    expect(external[0].metadata.namespace).toBe("kubeflow");
    const api = envOf(json, "ml-pipeline");
    expect(api.DBCONFIG_MYSQLCONFIG_PASSWORD.value_from.secret_key_ref).toEqual({
      name: "mysql-secret",
      key: "password",
    });
    expect(api.DBCONFIG_MYSQLCONFIG_HOST.value).toMatch(/^\$\{aws_db_instance\..+\.address\}$/);
    expect(JSON.parse(api.DBCONFIG_MYSQLCONFIG_EXTRAPARAMS.value)).toEqual({ tls: "skip-verify" });
    const grpc = named(json, "kubernetes_deployment_v1", "metadata-grpc-deployment");
    expect(containers(grpc)[0].args).toContain(
      "--metadata_store_server_config_file=/etc/mlmd/config.textproto",
    );

    const { json: sized } = synthKfp({
      metadata: { multiAz: true, backupRetentionInDays: 14, instanceClass: "db.m7g.large" },
    });
    expect(onlyResource(sized, "aws_db_instance")).toMatchObject({
      multi_az: true,
      backup_retention_period: 14,
      instance_class: "db.m7g.large",
    });
    const { json: sandbox } = synthKfp({}, [], { sandbox: true });
    const sdb = onlyResource(sandbox, "aws_db_instance") as Json;
    expect(sdb.deletion_protection).toBe(false);
    expect(sdb.lifecycle?.prevent_destroy ?? false).toBe(false);
  });

  it("runs MySQL in the cluster on a retained gp3 volume with a generated password when asked", () => {
    const { json: j } = synthKfp({ metadata: { store: "in-cluster", storageGiB: 50 } });
    expect(resourcesOf(j, "aws_db_instance")).toEqual({});
    const sts = onlyResource(j, "kubernetes_stateful_set_v1") as Json;
    expect(sts.spec.volume_claim_template[0].spec).toMatchObject({
      access_modes: ["ReadWriteOnce"],
      storage_class_name: "gp3",
      resources: { requests: { storage: "50Gi" } },
    });
    expect(sts.spec.persistent_volume_claim_retention_policy).toEqual([
      { when_deleted: "Retain", when_scaled: "Retain" },
    ]);
    const [mysql] = containers(sts);
    expect(mysql.env).toEqual([
      {
        name: "MYSQL_ROOT_PASSWORD",
        value_from: { secret_key_ref: { name: "mysql-secret", key: "password" } },
      },
    ]);
    expect(manifests(j, "Password").length).toBe(1);
    expect(manifests(j, "ExternalSecret")[0].spec.target.name).toBe("mysql-secret");
    const api = envOf(j, "ml-pipeline");
    expect(api.DBCONFIG_MYSQLCONFIG_HOST.value).toBe("mysql.kubeflow.svc.cluster.local");
    expect(api.DBCONFIG_MYSQLCONFIG_USER.value).toBe("root");
    expect(api.DBCONFIG_MYSQLCONFIG_EXTRAPARAMS.value).toBe("{}");
    const policies = all(j, "kubernetes_network_policy_v1").map((p) => p.metadata.name);
    expect(policies).not.toContain("allow-egress-database");
  });

  it("makes every pod and container PSS restricted, with requests, limits and probes", () => {
    for (const sync of [json, synthKfp({ metadata: { store: "in-cluster" } }).json]) {
      const ws = workloads(sync);
      expect(ws.length).toBeGreaterThanOrEqual(7);
      for (const w of ws) {
        const name = w.metadata.name;
        const pod = w.spec.template.spec.security_context;
        expect(pod.run_as_non_root, name).toBe(true);
        expect(pod.seccomp_profile, name).toEqual({ type: "RuntimeDefault" });
        expect(Number(pod.run_as_user), name).toBeGreaterThan(0);
        for (const c of containers(w)) {
          const sc = c.security_context;
          expect(sc.allow_privilege_escalation, name).toBe(false);
          expect(sc.run_as_non_root, name).toBe(true);
          expect(sc.capabilities.drop, name).toEqual(["ALL"]);
          expect(sc.seccomp_profile, name).toEqual({ type: "RuntimeDefault" });
          expect(sc.privileged, name).toBeUndefined();
          expect(Object.keys(c.resources.requests).sort(), name).toEqual(["cpu", "memory"]);
          expect(Object.keys(c.resources.limits).sort(), name).toEqual(["cpu", "memory"]);
          expect(c.readiness_probe, name).toBeDefined();
          expect(c.liveness_probe, name).toBeDefined();
        }
      }
    }
  });

  it("takes component resources from the config", () => {
    const { json: j } = synthKfp({ resources: { apiServer: { cpu: "1", memory: "2Gi", cpuLimit: "2" } } });
    const c = containers(named(j, "kubernetes_deployment_v1", "ml-pipeline"))[0];
    expect(c.resources).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: { cpu: "2", memory: "2Gi" },
    });
  });

  it("admits platform namespaces to the API (8888/8887), UI (3000) and metadata (8080); egress 443 and the DB port", () => {
    const byName = Object.fromEntries(
      all(json, "kubernetes_network_policy_v1").map((p) => [p.metadata.name, p.spec]),
    );
    const platform = [{ namespace_selector: { match_labels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }];
    const tcp = (port: string) => ({ port, protocol: "TCP" });
    expect(byName["default-deny"].policy_types).toEqual(["Ingress", "Egress"]);
    expect(byName["allow-ingress-api-server"]).toMatchObject({
      pod_selector: { match_labels: { app: "ml-pipeline" } },
      ingress: [{ from: platform, ports: [tcp("8888"), tcp("8887")] }],
    });
    expect(byName["allow-ingress-ui"]).toMatchObject({
      pod_selector: { match_labels: { app: "ml-pipeline-ui" } },
      ingress: [{ from: platform, ports: [tcp("3000")] }],
    });
    expect(byName["allow-ingress-metadata-grpc"]).toMatchObject({
      pod_selector: { match_labels: { component: "metadata-grpc-server" } },
      ingress: [{ from: platform, ports: [tcp("8080")] }],
    });
    expect(byName["allow-egress-https"].egress).toEqual([{ ports: [tcp("443")] }]);
    expect(byName["allow-egress-database"].egress).toEqual([
      { to: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [tcp("3306")] },
    ]);
  });

  it("installs the pinned Argo Workflows chart: controller only, this namespace only, restricted pods", () => {
    const release = onlyResource(json, "helm_release") as Json;
    expect(release).toMatchObject({
      chart: "argo-workflows",
      repository: "https://argoproj.github.io/argo-helm",
      version: "1.0.18",
      namespace: "kubeflow",
      atomic: true,
    });
    expect(CHARTS.argoWorkflows.version).toBe("1.0.18");
    const v = argoValues(json);
    expect(v.singleNamespace).toBe(true);
    expect(v.server.enabled).toBe(false);
    expect(v.crds).toEqual({ install: true, keep: true, full: false });
    expect(v.createAggregateRoles).toBe(false);
    expect(v.workflow).toEqual({
      serviceAccount: { create: false, name: "pipeline-runner" },
      rbac: { create: false },
    });
    expect(v.controller.workflowDefaults.spec.serviceAccountName).toBe("pipeline-runner");
    expect(v.controller.workflowDefaults.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    for (const sc of [
      v.controller.securityContext,
      v.executor.securityContext,
      v.mainContainer.securityContext,
    ]) {
      expect(sc).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
    }
    expect(v.controller.resources.limits.memory).toBe("256Mi");
    // The KFP components wait for the controller's release and KFP's CRD.
    const api = named(json, "kubernetes_deployment_v1", "ml-pipeline");
    expect(api.depends_on.some((d: string) => d.startsWith("helm_release."))).toBe(true);
    expect(api.depends_on.some((d: string) => d.startsWith("kubernetes_manifest."))).toBe(true);
  });

  it("installs Argo through the Helm release base: the helm block's options, the release's own address", () => {
    const { json: j } = synthKfp({
      helm: {
        chartVersion: "1.0.19",
        timeoutInSeconds: 1200,
        wait: false,
        values: { controller: { replicas: 2 } },
      },
    });
    const releases = resourcesOf(j, "helm_release");
    expect(Object.keys(releases)).toEqual([expect.stringMatching(/_ArgoWorkflows_[0-9A-F]{8}$/)]);
    expect(Object.values(releases)[0]).toMatchObject({
      version: "1.0.19",
      timeout: 1200,
      wait: false,
      atomic: false,
    });
    expect(argoValues(j).controller.replicas).toBe(2);
    expect(argoValues(j).controller.workflowDefaults.spec.serviceAccountName).toBe("pipeline-runner");
  });

  it("binds pipeline steps to pipeline-runner with namespaced RBAC only", () => {
    expect(resourcesOf(json, "kubernetes_cluster_role_v1")).toEqual({});
    expect(resourcesOf(json, "kubernetes_cluster_role_binding_v1")).toEqual({});
    const binding = named(json, "kubernetes_role_binding_v1", "pipeline-runner");
    expect(binding.subject).toEqual([
      { kind: "ServiceAccount", name: "pipeline-runner", namespace: "kubeflow" },
    ]);
    const ui = named(json, "kubernetes_role_v1", "ml-pipeline-ui");
    expect(JSON.stringify(ui.rule)).not.toContain("secrets");
  });

  it("leaves out the UI, its envoy and its role when ui.enabled is false; passes cache off to the API server", () => {
    const { json: j } = synthKfp({ ui: { enabled: false }, cache: { enabled: false } });
    const names = all(j, "kubernetes_deployment_v1").map((d) => d.metadata.name);
    expect(names).not.toContain("ml-pipeline-ui");
    expect(names).not.toContain("metadata-envoy-deployment");
    expect(names).toHaveLength(5);
    expect(() => roleOf(j, "ml-pipeline-ui")).toThrow(/found 0/);
    expect(envOf(j, "ml-pipeline").CACHEENABLED.value).toBe("false");
    expect(envOf(json, "ml-pipeline").CACHEENABLED.value).toBe("true");
  });

  it("adds a ServiceMonitor and Argo controller metrics when monitoring is installed", () => {
    expect(manifests(json, "ServiceMonitor")).toEqual([]);
    const { json: j } = synthKfp({}, [monitoringStub]);
    const [sm] = manifests(j, "ServiceMonitor");
    expect(sm.spec.selector).toEqual({ matchLabels: { app: "ml-pipeline" } });
    expect(sm.spec.endpoints).toEqual([{ port: "http", path: "/metrics", interval: "30s" }]);
    const v = argoValues(j);
    expect(v.controller.metricsConfig).toEqual({ enabled: true, port: 9090 });
    // The kit's PodMonitor, not the chart's ServiceMonitor (rendered only if the CRD exists at install).
    expect(v.controller.serviceMonitor.enabled).toBe(false);
    const [pm] = manifests(j, "PodMonitor");
    expect(pm.metadata.name).toBe("argo-workflows-workflow-controller");
    expect(pm.spec.selector).toEqual({
      matchLabels: { "app.kubernetes.io/component": "workflow-controller" },
    });
    expect(pm.spec.podMetricsEndpoints).toEqual([{ portNumber: 9090, path: "/metrics", interval: "30s" }]);
  });
});
