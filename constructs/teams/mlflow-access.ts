/**
 * A team environment's MLflow identity (issue 13, MLflow add-on with basic auth): an MLflow user
 * `team-<name>-<env>` whose password exists only in the cluster, in the Secret `mlflow-credentials` of the
 * team's namespace (keys MLFLOW_TRACKING_URI/USERNAME/PASSWORD, for a pod's `envFrom`), and MANAGE on the
 * experiments `<name>/…` and registered models `<name>.…` that exist when the Job runs.
 *
 * MLflow's permissions are per experiment and per model, not per prefix (its RBAC matches one id or `*`). So the
 * prefix is the team's naming convention and ownership follows creation: MLflow gives whoever creates an
 * experiment or model MANAGE on it, so everything the team's user creates is the team's; what someone else
 * created under the team's prefix (an admin, a migration) the Job grants when it runs. What another team's user
 * may do with the team's experiments is MLflow's `default_permission` (`addons.mlflow.auth.defaultPermission`):
 * the default READ lets every user read every experiment; NO_PERMISSIONS keeps teams apart.
 *
 * Why the Job runs in MLflow's namespace, not the team's: it needs the MLflow admin's password, which must not
 * reach a namespace whose members can read Secrets (team members with `edit`). It writes one Secret into the
 * team's namespace through a Role there that names that Secret (plus `create`, which Kubernetes cannot limit to a
 * name). The default-deny policy of MLflow's namespace admits its in-namespace traffic to the server; the
 * construct adds the Job's egress to the Kubernetes API (443).
 */
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MLFLOW_IMAGE, MLFLOW_UID } from "../addons/mlflow/names";
import { scriptJobSpec } from "../core/script-job";
import { MLFLOW_TEAM_SCRIPT } from "./mlflow-access-script";
import { teamMlflowExperimentPrefix, teamMlflowModelPrefix, teamNamespace } from "./naming";

/** The Secret in the team's namespace holding the team's MLflow credentials. */
export const TEAM_MLFLOW_SECRET = "mlflow-credentials";

/** Where the Kubernetes Secret holding MLflow's basic-auth admin is (the add-on's `adminSecretName`). */
export interface MlflowAdminSecretRef {
  /** MLflow's namespace: the Job runs there. */
  readonly namespace: string;
  readonly name: string;
  /** @default "username" */
  readonly usernameKey?: string;
  /** @default "password" */
  readonly passwordKey?: string;
}

export interface TeamMlflowAccessProps {
  readonly team: string;
  readonly environment: string;
  /** The team environment's namespace, where the credentials Secret is written. */
  readonly namespace: string;
  /** The in-cluster tracking URI (the add-on's `trackingUri`, e.g. `http://mlflow.mlflow.svc:5000`). */
  readonly trackingUri: string;
  readonly adminSecret: MlflowAdminSecretRef;
  readonly provider: KubernetesProvider;
  /** Extra labels on every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** E.g. the team namespace (the Role lives there). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

export interface TeamMlflowNames {
  /** The MLflow user: `team-<name>-<env>`. */
  readonly username: string;
  /** Job, ConfigMap, ServiceAccount and NetworkPolicy in MLflow's namespace: `mlflow-team-<name>-<env>`. */
  readonly job: string;
  readonly experimentPrefix: string;
  readonly modelPrefix: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function invalid(prop: string, value: unknown, expected: string): Error {
  return new Error(`TeamMlflowAccess ${prop}: got ${JSON.stringify(value)}; expected ${expected}`);
}

export function teamMlflowNames(team: string, environment: string): TeamMlflowNames {
  const username = teamNamespace(team, environment);
  return {
    username,
    job: `mlflow-${username}`,
    experimentPrefix: teamMlflowExperimentPrefix(team),
    modelPrefix: teamMlflowModelPrefix(team),
  };
}

/** Bad props fail at synth, naming the prop, the value and what was expected. */
export function validateTeamMlflowAccess(props: Omit<TeamMlflowAccessProps, "provider">): void {
  if (!DNS_LABEL.test(props.team) || props.team.length > 20) {
    throw invalid("team", props.team, "a DNS label of 1-20 characters");
  }
  for (const [prop, value] of [
    ["environment", props.environment],
    ["namespace", props.namespace],
    ["adminSecret.namespace", props.adminSecret.namespace],
  ] as const) {
    if (!DNS_LABEL.test(value) || value.length > 63) throw invalid(prop, value, "a DNS label");
  }
  const job = teamMlflowNames(props.team, props.environment).job;
  if (job.length > 63) {
    throw invalid("environment", props.environment, `a name short enough for "${job}" to fit 63 characters`);
  }
  if (!/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(props.trackingUri)) {
    throw invalid(
      "trackingUri",
      props.trackingUri,
      "an http(s) URL of the tracking server, e.g. http://mlflow.mlflow.svc:5000",
    );
  }
  if (!/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(props.adminSecret.name)) {
    throw invalid("adminSecret.name", props.adminSecret.name, "a Kubernetes Secret name");
  }
}

/**
 * The team's MLflow user and grants, made by a Job in MLflow's namespace (see the file's comment). The Job runs
 * `MLFLOW_TEAM_SCRIPT` with the MLflow image's Python; it is idempotent and does not block the apply.
 */
export class TeamMlflowAccess extends Construct {
  readonly names: TeamMlflowNames;
  readonly secretName = TEAM_MLFLOW_SECRET;
  readonly job: JobV1;
  readonly role: RoleV1;
  readonly podLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: TeamMlflowAccessProps) {
    super(scope, id);
    validateTeamMlflowAccess(props);
    const names = teamMlflowNames(props.team, props.environment);
    this.names = names;
    const mlflowNamespace = props.adminSecret.namespace;
    const provider = props.provider;
    const podLabels = {
      "app.kubernetes.io/name": names.job,
      "app.kubernetes.io/component": "mlflow-team-bootstrap",
    };
    this.podLabels = podLabels;
    const labels = { ...props.labels, ...podLabels };
    const dependsOn = props.dependsOn ?? [];

    const serviceAccount = new ServiceAccountV1(this, "ServiceAccount", {
      provider,
      metadata: { name: names.job, namespace: mlflowNamespace, labels },
      // Mounted only into the Job's pod (below), which needs it for the one Secret.
      automountServiceAccountToken: false,
    });
    // In the team's namespace: read and replace the team's credentials Secret, create it once.
    this.role = new RoleV1(this, "SecretWriter", {
      provider,
      metadata: { name: names.job, namespace: props.namespace, labels },
      rule: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [TEAM_MLFLOW_SECRET],
          verbs: ["get", "update", "patch"],
        },
        // Kubernetes cannot scope `create` by name (the object has none yet when it is authorized).
        { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
      ],
      dependsOn,
    });
    const binding = new RoleBindingV1(this, "SecretWriterBinding", {
      provider,
      metadata: { name: names.job, namespace: props.namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.job },
      subject: [{ kind: "ServiceAccount", name: names.job, namespace: mlflowNamespace }],
      dependsOn: [...dependsOn, this.role],
    });
    const script = new ConfigMapV1(this, "Script", {
      provider,
      metadata: { name: names.job, namespace: mlflowNamespace, labels },
      data: { "mlflow-team.py": MLFLOW_TEAM_SCRIPT },
    });
    // The tracking server is in this namespace (admitted by its default-deny policy); the API server is not.
    new NetworkPolicyV1(this, "KubernetesApiEgress", {
      provider,
      metadata: { name: `allow-egress-${names.job}`, namespace: mlflowNamespace, labels },
      spec: {
        podSelector: { matchLabels: podLabels },
        policyTypes: ["Egress"],
        egress: [{ ports: [{ port: "443", protocol: "TCP" }] }],
      },
    });

    const admin = props.adminSecret;
    const secretRef = (key: string) => ({ valueFrom: { secretKeyRef: { name: admin.name, key } } });
    this.job = new JobV1(this, "Job", {
      provider,
      metadata: { name: names.job, namespace: mlflowNamespace, labels },
      spec: scriptJobSpec(podLabels, {
        uid: MLFLOW_UID,
        serviceAccountName: serviceAccount.metadata.name,
        automountServiceAccountToken: true,
        container: {
          name: "bootstrap",
          image: MLFLOW_IMAGE,
          command: ["python", "/scripts/mlflow-team.py"],
          env: [
            { name: "MLFLOW_TRACKING_URI", value: props.trackingUri },
            { name: "MLFLOW_ADMIN_USERNAME", ...secretRef(admin.usernameKey ?? "username") },
            { name: "MLFLOW_ADMIN_PASSWORD", ...secretRef(admin.passwordKey ?? "password") },
            { name: "TEAM_USER", value: names.username },
            { name: "EXPERIMENT_PREFIX", value: names.experimentPrefix },
            { name: "MODEL_PREFIX", value: names.modelPrefix },
            { name: "TEAM_NAMESPACE", value: props.namespace },
            { name: "TEAM_SECRET_NAME", value: TEAM_MLFLOW_SECRET },
            { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
          ],
          resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        },
        script: { volume: "scripts", configMap: script.metadata.name, mountPath: "/scripts" },
      }),
      // Its pod starts once MLflow and the team namespace are there; re-running it is harmless.
      waitForCompletion: false,
      dependsOn: [...dependsOn, binding],
    });
  }
}
