import { describe, expect, it } from "vitest";
import { KAFKA_NAMESPACE } from "../../constructs/addons/kafka/strimzi";
import { brokerPodLabels, TLS_LISTENER_PORT } from "../../constructs/addons/kafka/strimzi-resources";
import { MLFLOW_NAMESPACE, MLFLOW_POD_LABELS, MLFLOW_PORT } from "../../constructs/addons/mlflow/names";
import { MONITORING_NAMESPACE, MONITORING_POD_LABELS } from "../../constructs/addons/monitoring/names";
import { ENVOY_GATEWAY_NAMESPACE, SERVING_GATEWAY_NAME } from "../../constructs/addons/serving/names";
import { envoyProxyPodLabels } from "../../stacks/team-services";
import { canConnect, type Pod, policiesOf } from "../support/network-policy";
import { synthPlatform } from "../support/platform";
import { dataOf, resourcesOf, type SynthJson } from "../support/synth";
import { objectsOf, synthTeamsExample, teamsExample } from "../support/teams";

const out = () => synthTeamsExample();
const stack = (name: string): SynthJson => {
  const s = out().stacks[`acme-dev-team-${name}`];
  if (!s) throw new Error(`no stack acme-dev-team-${name}; stacks: ${Object.keys(out().stacks).join(", ")}`);
  return s;
};
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0];
};

describe("TeamEnvironmentStack (two teams: fraud dev+prod, risk dev)", () => {
  it("is one stack per team environment, named <prefix>-team-<name>-<env>, each with its own state", () => {
    const names = Object.keys(out().stacks).filter((n) => n.includes("-team-"));
    expect(names).toEqual(["acme-dev-team-fraud-dev", "acme-dev-team-fraud-prod", "acme-dev-team-risk-dev"]);
    const paths = names.map(
      (n) => (out().stacks[n].terraform as { backend: { local: { path: string } } }).backend.local.path,
    );
    expect(new Set(paths).size).toBe(3);
    for (const [i, n] of names.entries()) expect(paths[i]).toContain(n);
  });

  it("creates the namespace team-<name>-<env> with PSS restricted enforced and without the platform label", () => {
    for (const [name, ns] of [
      ["fraud-dev", "team-fraud-dev"],
      ["fraud-prod", "team-fraud-prod"],
      ["risk-dev", "team-risk-dev"],
    ]) {
      const namespace = only(objectsOf(stack(name), "kubernetes_namespace_v1"));
      expect(namespace.metadata.name).toBe(ns);
      const labels = namespace.metadata.labels ?? {};
      expect(labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
      expect(labels["pod-security.kubernetes.io/audit"]).toBe("restricted");
      expect(labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
      // Platform services admit namespaces carrying mlops.io/platform: a team namespace must not.
      expect(labels["mlops.io/platform"]).toBeUndefined();
      expect(labels["mlops.io/team"]).toBe(name.split("-")[0]);
    }
  });

  it("sets the ResourceQuota from the team's quota, GPUs included, with no load balancers or node ports", () => {
    const fraud = only(objectsOf(stack("fraud-dev"), "kubernetes_resource_quota_v1"));
    expect(fraud.spec?.hard).toEqual({
      "requests.cpu": "16",
      "limits.cpu": "32",
      "requests.memory": "64Gi",
      "limits.memory": "64Gi",
      "requests.nvidia.com/gpu": "2",
      "requests.storage": "500Gi",
      persistentvolumeclaims: "10",
      pods: "50",
      "services.loadbalancers": "0",
      "services.nodeports": "0",
    });
    const risk = only(objectsOf(stack("risk-dev"), "kubernetes_resource_quota_v1"));
    const hard = risk.spec?.hard as Record<string, string>;
    expect(hard["requests.cpu"]).toBe("4");
    expect(hard["limits.cpu"]).toBe("8");
    expect(hard["requests.memory"]).toBe("16Gi");
    // No GPU in risk's quota: the quota forbids them (0), it does not leave them unlimited.
    expect(hard["requests.nvidia.com/gpu"]).toBe("0");
  });

  it("gives containers default requests and limits through a LimitRange", () => {
    const limits = only(objectsOf(stack("risk-dev"), "kubernetes_limit_range_v1"));
    const [item] = (limits.spec as { limit: Record<string, unknown>[] }).limit;
    expect(item.type).toBe("Container");
    expect(item.default_request).toEqual({ cpu: "100m", memory: "256Mi" });
    expect(item.default).toEqual({ cpu: "1", memory: "1Gi" });
  });

  it("creates the team's service account team-<name> without an automounted API token", () => {
    const sa = only(
      objectsOf(stack("fraud-prod"), "kubernetes_service_account_v1").filter(
        (a) => a.metadata.name === "team-fraud",
      ),
    );
    expect(sa.metadata.name).toBe("team-fraud");
    expect(sa.automount_service_account_token).toBe(false);
  });

  it("gives members access entries scoped to the team's namespaces only, view or edit by level", () => {
    const s = stack("fraud-dev");
    const entries = Object.values(resourcesOf(s, "aws_eks_access_entry"));
    expect(entries.map((e) => e.principal_arn).sort()).toEqual([
      "arn:aws:iam::123456789012:role/fraud-analyst",
      "arn:aws:iam::123456789012:role/fraud-lead",
    ]);
    for (const e of entries) {
      expect(e.type).toBe("STANDARD");
      expect(e.kubernetes_groups).toBeUndefined();
    }
    const associations = Object.values(resourcesOf(s, "aws_eks_access_policy_association")) as {
      policy_arn: string;
      principal_arn: string;
      access_scope: { type: string; namespaces: string[] };
    }[];
    expect(associations).toHaveLength(2);
    for (const a of associations) {
      expect(a.access_scope).toEqual({
        type: "namespace",
        namespaces: ["team-fraud-dev", "team-fraud-prod"],
      });
      expect(a.policy_arn).not.toMatch(/Admin|ClusterAdmin/);
    }
    const policies = associations.map(
      (a) =>
        `${a.principal_arn.includes("fraud-lead") ? "lead" : "analyst"}:${a.policy_arn.split("/").pop()}`,
    );
    expect(policies.sort()).toEqual(["analyst:AmazonEKSViewPolicy", "lead:AmazonEKSEditPolicy"]);
    // One access entry per principal and cluster (EKS): the team's other environment does not repeat them.
    expect(resourcesOf(stack("fraud-prod"), "aws_eks_access_entry")).toEqual({});
    const risk = only(Object.values(resourcesOf(stack("risk-dev"), "aws_eks_access_policy_association"))) as {
      access_scope: { namespaces: string[] };
    };
    expect(risk.access_scope.namespaces).toEqual(["team-risk-dev"]);
  });

  it("reads the platform through data sources by derived name, and the team tag is on every AWS resource", () => {
    const s = stack("fraud-dev");
    expect(Object.values(dataOf(s, "aws_eks_cluster")).map((d) => d.name)).toEqual(["acme-dev"]);
    const buckets = Object.values(dataOf(s, "aws_s3_bucket")).map((d) => d.bucket as string);
    expect(buckets.map((b) => b.split("-${")[0]).sort()).toEqual(["acme-dev-curated", "acme-dev-raw"]);
    expect(Object.values(dataOf(s, "aws_kms_alias")).map((d) => d.name)).toContain(
      "alias/acme-dev-data-lake",
    );
    // Nothing read from another stack's state: no remote state, no cross-stack outputs.
    expect(s.data?.terraform_remote_state).toBeUndefined();
    const [aws] = (s.provider?.aws ?? []) as { default_tags: { tags: Record<string, string> }[] }[];
    expect(aws.default_tags[0].tags).toMatchObject({ team: "fraud", "mlops.io/platform": "acme" });
    const [riskAws] = (stack("risk-dev").provider?.aws ?? []) as {
      default_tags: { tags: Record<string, string> }[];
    }[];
    expect(riskAws.default_tags[0].tags.team).toBe("risk");
  });

  it("adds no output and no remote state to the platform's stacks", () => {
    for (const name of ["acme-dev-foundation", "acme-dev-platform", "acme-dev-resources"]) {
      const json = JSON.stringify(out().stacks[name]);
      expect(json, name).not.toContain("team-fraud");
      expect(json, name).not.toContain("team-risk");
    }
  });

  it("depends on the platform and resources stacks, so it is deployed after them", () => {
    const team = out().blueprint.teams[0];
    const deps = team.dependencies.map((d) => d.node.id);
    expect(deps).toEqual(expect.arrayContaining(["acme-dev-platform", "acme-dev-resources"]));
  });
});

describe("team network policies", () => {
  const all = () =>
    Object.values(out().stacks).flatMap((s) => policiesOf(s as Parameters<typeof policiesOf>[0]));
  const teamPod = (ns: string): Pod => ({
    namespace: ns,
    namespaceLabels: { "mlops.io/team": ns.split("-")[1] },
    labels: { app: "trainer" },
  });
  const mlflow: Pod = {
    namespace: MLFLOW_NAMESPACE,
    namespaceLabels: { "mlops.io/platform": "true" },
    labels: MLFLOW_POD_LABELS,
  };
  const broker: Pod = {
    namespace: KAFKA_NAMESPACE,
    namespaceLabels: { "mlops.io/platform": "true" },
    labels: brokerPodLabels({ namespace: KAFKA_NAMESPACE, cluster: "platform" }),
  };
  const gateway: Pod = {
    namespace: ENVOY_GATEWAY_NAMESPACE,
    namespaceLabels: { "mlops.io/platform": "true" },
    labels: envoyProxyPodLabels(SERVING_GATEWAY_NAME, ENVOY_GATEWAY_NAMESPACE),
  };
  const prometheus: Pod = {
    namespace: MONITORING_NAMESPACE,
    namespaceLabels: { "mlops.io/platform": "true" },
    labels: MONITORING_POD_LABELS.prometheus,
  };

  it("denies by default: the team namespace has the default-deny policy for ingress and egress", () => {
    const deny = policiesOf(stack("risk-dev")).find((p) => p.metadata.name === "default-deny");
    expect(deny?.metadata.namespace).toBe("team-risk-dev");
    expect(deny?.spec.policy_types.sort()).toEqual(["Egress", "Ingress"]);
  });

  it("a team's namespace cannot reach another team's, on any port, in either direction", () => {
    const policies = all();
    for (const [a, b] of [
      ["team-fraud-dev", "team-risk-dev"],
      ["team-risk-dev", "team-fraud-dev"],
      ["team-fraud-dev", "team-fraud-prod"],
    ]) {
      for (const port of [80, 443, 5000, 8080, 9093]) {
        expect(canConnect(policies, teamPod(a), teamPod(b), port), `${a} -> ${b}:${port}`).toBe(false);
      }
    }
    // Inside one namespace, pods talk to each other.
    expect(canConnect(policies, teamPod("team-risk-dev"), teamPod("team-risk-dev"), 8080)).toBe(true);
  });

  it("reaches exactly the platform services the team uses: fraud MLflow, Kafka and the gateway; risk MLflow only", () => {
    const policies = all();
    const fraud = teamPod("team-fraud-dev");
    const risk = teamPod("team-risk-dev");
    expect(canConnect(policies, fraud, mlflow, MLFLOW_PORT)).toBe(true);
    expect(canConnect(policies, fraud, broker, TLS_LISTENER_PORT)).toBe(true);
    expect(canConnect(policies, fraud, gateway, 10080)).toBe(true);
    expect(canConnect(policies, risk, mlflow, MLFLOW_PORT)).toBe(true);
    expect(canConnect(policies, risk, broker, TLS_LISTENER_PORT)).toBe(false);
    expect(canConnect(policies, risk, gateway, 10080)).toBe(false);
    // Only the services' ports.
    expect(canConnect(policies, fraud, mlflow, 22)).toBe(false);
    expect(canConnect(policies, fraud, broker, 9091)).toBe(false);
  });

  it("admits Prometheus into every team namespace (and lets Prometheus out to it)", () => {
    const policies = all();
    for (const ns of ["team-fraud-dev", "team-fraud-prod", "team-risk-dev"]) {
      expect(canConnect(policies, prometheus, teamPod(ns), 8080), ns).toBe(true);
    }
    const grafana: Pod = { ...prometheus, labels: MONITORING_POD_LABELS.grafana };
    expect(canConnect(policies, grafana, teamPod("team-risk-dev"), 8080)).toBe(false);
  });

  it("puts the counterpart policies in the platform namespaces under names of the team's namespace", () => {
    const names = policiesOf(stack("risk-dev"))
      .filter((p) => !p.metadata.namespace.startsWith("team-"))
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
      .sort();
    expect(names).toEqual([
      // The MLflow bootstrap Job's own egress (TeamMlflowAccess), in MLflow's namespace.
      "mlflow/allow-egress-mlflow-team-risk-dev",
      "mlflow/allow-ingress-team-risk-dev-mlflow",
      "monitoring/allow-egress-team-risk-dev-prometheus",
    ]);
  });
});

describe("what a team environment is granted of the platform", () => {
  type Statement = { effect?: string; actions?: string[]; resources?: string[]; condition?: unknown[] };
  const statements = (name: string): Statement[] =>
    Object.values(dataOf(stack(name), "aws_iam_policy_document")).flatMap(
      (d) => (d.statement ?? []) as Statement[],
    );

  it("one workload role per environment, bound by Pod Identity to team-<name> in the environment's namespace", () => {
    for (const [name, ns, sa] of [
      ["fraud-dev", "team-fraud-dev", "team-fraud"],
      ["fraud-prod", "team-fraud-prod", "team-fraud"],
      ["risk-dev", "team-risk-dev", "team-risk"],
    ]) {
      const association = only(Object.values(resourcesOf(stack(name), "aws_eks_pod_identity_association")));
      expect(association).toMatchObject({ cluster_name: "acme-dev", namespace: ns, service_account: sa });
      const role = only(Object.values(resourcesOf(stack(name), "aws_iam_role")));
      expect(role.name).toBe(`acme-dev-${ns}`);
    }
  });

  it("writes only under the team's own prefix: no other team's prefix, no bucket-wide write", () => {
    for (const [name, own, other] of [
      ["fraud-dev", "teams/fraud/", "teams/risk/"],
      ["risk-dev", "teams/risk/", "teams/fraud/"],
    ]) {
      const all = statements(name);
      const text = JSON.stringify(all);
      expect(text, name).not.toContain(other);
      const writes = all.filter((st) =>
        (st.actions ?? []).some((a) => /^s3:(Put|Delete|AbortMultipart)/.test(a)),
      );
      expect(writes.length, name).toBeGreaterThan(0);
      for (const st of writes) {
        for (const r of st.resources ?? []) expect(r, name).toMatch(new RegExp(`/${own}\\*$`));
      }
      expect(
        all.some((st) => (st.resources ?? []).includes("*") && st.actions?.some((a) => a.startsWith("s3:"))),
      ).toBe(false);
    }
  });

  it("gives fraud its KafkaUser with prefixed ACLs and read on predictions; risk has none", () => {
    const manifests = Object.values(resourcesOf(stack("fraud-dev"), "kubernetes_manifest")) as {
      manifest: {
        kind: string;
        metadata: { name: string; namespace: string };
        spec?: Record<string, unknown>;
      };
    }[];
    const user = only(manifests.filter((m) => m.manifest.kind === "KafkaUser")).manifest;
    expect(user.metadata).toMatchObject({ name: "team-fraud-dev", namespace: "kafka" });
    const spec = user.spec as { authorization: { acls: { resource: Record<string, string> }[] } };
    const { acls } = spec.authorization;
    expect(
      acls.map((a) => `${a.resource.type}:${a.resource.name}:${a.resource.patternType ?? "literal"}`),
    ).toEqual(
      expect.arrayContaining([
        "topic:team.fraud.:prefix",
        "group:team.fraud.:prefix",
        "topic:predictions:literal",
      ]),
    );
    expect(resourcesOf(stack("risk-dev"), "kubernetes_manifest")).toEqual({});
  });

  it("puts the team budget on the team tag, once per team (the first environment's stack)", () => {
    const budget = only(Object.values(resourcesOf(stack("fraud-dev"), "aws_budgets_budget")));
    expect(budget.name).toBe("acme-dev-team-fraud");
    expect(JSON.stringify(budget.cost_filter)).toContain("user:team$fraud");
    expect(resourcesOf(stack("fraud-prod"), "aws_budgets_budget")).toEqual({});
    expect(resourcesOf(stack("risk-dev"), "aws_budgets_budget")).toEqual({});
  });

  it("adds the team's Grafana dashboard in the monitoring namespace, limited to its namespace", () => {
    const maps = objectsOf(stack("risk-dev"), "kubernetes_config_map_v1").filter(
      (m) => m.metadata.namespace === "monitoring",
    );
    const dashboard = only(maps);
    expect(JSON.stringify(dashboard.data)).toMatch(/namespace=\\+"team-risk-dev\\+"/);
    expect(JSON.stringify(dashboard.data)).not.toContain("team-fraud");
  });

  it("gives each environment using MLflow its MLflow user through the bootstrap Job in MLflow's namespace", () => {
    for (const [name, user] of [
      ["fraud-dev", "team-fraud-dev"],
      ["risk-dev", "team-risk-dev"],
    ]) {
      const jobs = objectsOf(stack(name), "kubernetes_job_v1").filter(
        (j) => j.metadata.namespace === "mlflow",
      );
      expect(only(jobs).metadata.name, name).toBe(`mlflow-${user}`);
    }
  });
});

describe("TeamEnvironmentStack with Lake Formation on", () => {
  const lf = synthPlatform({ ...teamsExample(), dataLake: { enableLakeFormation: true } });
  const fraud = (env: string) => lf.stacks[`acme-dev-team-fraud-${env}`] as SynthJson;

  it("creates the team's Glue database team_<name> once, in the first environment's stack, with grants to its role", () => {
    const db = only(Object.values(resourcesOf(fraud("dev"), "aws_glue_catalog_database")));
    expect(db.name).toBe("team_fraud");
    expect(resourcesOf(fraud("prod"), "aws_glue_catalog_database")).toEqual({});
    // The prod environment's role gets its own grants on the same database, after the dev stack made it.
    const prodGrants = Object.values(resourcesOf(fraud("prod"), "aws_lakeformation_permissions")) as {
      principal: string;
      database?: { name: string };
    }[];
    expect(prodGrants.some((g) => g.database?.name === "team_fraud")).toBe(true);
    const prodStack = lf.blueprint.teams.find((t) => t.node.id === "acme-dev-team-fraud-prod");
    expect(prodStack?.dependencies.map((d) => d.node.id)).toContain("acme-dev-team-fraud-dev");
    const grants = Object.values(resourcesOf(fraud("dev"), "aws_lakeformation_permissions")) as {
      principal: string;
      permissions: string[];
      data_location?: { arn: string };
    }[];
    expect(grants.length).toBeGreaterThan(0);
    for (const g of grants) expect(g.principal).toMatch(/^\$\{aws_iam_role\.WorkloadRole/);
    const locations = grants.flatMap((g) => (g.data_location ? [g.data_location.arn] : []));
    expect(locations.length).toBe(2);
    for (const l of locations) expect(l).toMatch(/\/teams\/fraud$/);
    expect(JSON.stringify(grants)).not.toContain("teams/risk");
  });
});
