import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { MLFLOW_IMAGE } from "../../../constructs/addons/mlflow/names";
import { TEAM_MLFLOW_SECRET } from "../../../constructs/teams/mlflow-access";
import { schemasLocation } from "../../../scripts/validation";
import { all, type Json, named } from "../../support/manifests";
import { synthTeamMlflow, TEAM_PROPS } from "./mlflow-support";

describe("TeamMlflowAccess: the team's MLflow user through a Job in MLflow's namespace", () => {
  const json = synthTeamMlflow();
  const job = named(json, "kubernetes_job_v1", "mlflow-team-fraud-dev");
  const pod = job.spec.template.spec;
  const container = pod.container[0];
  const env = Object.fromEntries((container.env as Json[]).map((e) => [e.name, e.value ?? e.value_from]));

  it("runs in MLflow's namespace with the admin Secret by reference, the team's names in its env", () => {
    expect(job.metadata.namespace).toBe("mlflow");
    expect(job.wait_for_completion).toBe(false);
    expect(env).toMatchObject({
      MLFLOW_TRACKING_URI: "http://mlflow.mlflow.svc:5000",
      MLFLOW_ADMIN_USERNAME: { secret_key_ref: { name: "mlflow-admin", key: "username" } },
      MLFLOW_ADMIN_PASSWORD: { secret_key_ref: { name: "mlflow-admin", key: "password" } },
      TEAM_USER: "team-fraud-dev",
      EXPERIMENT_PREFIX: "fraud/",
      MODEL_PREFIX: "fraud.",
      TEAM_NAMESPACE: "team-fraud-dev",
      TEAM_SECRET_NAME: TEAM_MLFLOW_SECRET,
    });
    // No value of a secret in Terraform: only references and names.
    for (const e of container.env as Json[]) {
      if (/PASSWORD/.test(e.name)) expect(e.value, e.name).toBeUndefined();
    }
  });

  it("is PSS restricted with requests, on the chart's MLflow image (the tag is the chart's appVersion)", () => {
    expect(pod.security_context).toMatchObject({
      run_as_non_root: true,
      run_as_user: "1001",
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(container.security_context).toMatchObject({
      allow_privilege_escalation: false,
      capabilities: { drop: ["ALL"] },
      read_only_root_filesystem: true,
      run_as_non_root: true,
    });
    expect(container.resources.requests).toEqual({ cpu: "10m", memory: "64Mi" });
    expect(container.image).toBe(MLFLOW_IMAGE);
    const chart = parseYaml(
      readFileSync(join(schemasLocation().dir as string, "charts", "mlflow", "Chart.yaml"), "utf8"),
    );
    expect(MLFLOW_IMAGE).toBe(`docker.io/burakince/mlflow:${chart.appVersion}`);
  });

  it("may write only the team's credentials Secret, in the team's namespace, as its own service account", () => {
    const sa = named(json, "kubernetes_service_account_v1", "mlflow-team-fraud-dev");
    expect(sa.metadata.namespace).toBe("mlflow");
    expect(pod.service_account_name).toContain("kubernetes_service_account_v1.");
    const role = named(json, "kubernetes_role_v1", "mlflow-team-fraud-dev");
    expect(role.metadata.namespace).toBe("team-fraud-dev");
    expect(role.rule).toEqual([
      {
        api_groups: [""],
        resources: ["secrets"],
        resource_names: [TEAM_MLFLOW_SECRET],
        verbs: ["get", "update", "patch"],
      },
      { api_groups: [""], resources: ["secrets"], verbs: ["create"] },
    ]);
    const binding = named(json, "kubernetes_role_binding_v1", "mlflow-team-fraud-dev");
    expect(binding.metadata.namespace).toBe("team-fraud-dev");
    expect(binding.subject).toEqual([
      { kind: "ServiceAccount", name: "mlflow-team-fraud-dev", namespace: "mlflow" },
    ]);
    // Nothing cluster-wide.
    expect(all(json, "kubernetes_cluster_role_v1")).toEqual([]);
    expect(all(json, "kubernetes_cluster_role_binding_v1")).toEqual([]);
  });

  it("adds only egress to the Kubernetes API (443) for its own pods in MLflow's namespace", () => {
    const policies = all(json, "kubernetes_network_policy_v1");
    expect(policies).toHaveLength(1);
    expect(policies[0].metadata.namespace).toBe("mlflow");
    expect(policies[0].spec.pod_selector.match_labels).toEqual(job.spec.template.metadata.labels);
    expect(policies[0].spec.policy_types).toEqual(["Egress"]);
    expect(policies[0].spec.egress).toEqual([{ ports: [{ port: "443", protocol: "TCP" }] }]);
  });

  it("gives two environments of one team distinct users and Jobs", () => {
    const prod = synthTeamMlflow({ ...TEAM_PROPS, environment: "prod", namespace: "team-fraud-prod" });
    const prodJob = named(prod, "kubernetes_job_v1", "mlflow-team-fraud-prod");
    const prodEnv = (prodJob.spec.template.spec.container[0].env as Json[]).find(
      (e) => e.name === "TEAM_USER",
    );
    expect(prodEnv?.value).toBe("team-fraud-prod");
  });

  it("fails when the team name is not a DNS label of at most 20 characters, naming the prop", () => {
    expect(() => synthTeamMlflow({ ...TEAM_PROPS, team: "Fraud_Team" })).toThrow(
      'TeamMlflowAccess team: got "Fraud_Team"; expected a DNS label of 1-20 characters',
    );
  });

  it("fails when the tracking URI is not an http(s) URL of the server", () => {
    expect(() => synthTeamMlflow({ ...TEAM_PROPS, trackingUri: "mlflow:5000" })).toThrow(
      /TeamMlflowAccess trackingUri: got "mlflow:5000"/,
    );
  });

  it("fails when the names would not fit Kubernetes' 63 characters", () => {
    const environment = "e".repeat(46);
    expect(() => synthTeamMlflow({ ...TEAM_PROPS, environment, namespace: "team-fraud-x" })).toThrow(
      /TeamMlflowAccess environment: .* to fit 63 characters/,
    );
  });
});
