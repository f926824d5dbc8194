import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { ITerraformDependable } from "cdktf";
import type { ServiceAccountRole } from "../../cluster/service-account-role";
import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import {
  allowLoadBalancer,
  ingressDependencyProblem,
  LOAD_BALANCER_CONTROLLER_ADDON_ID,
} from "../../core/ingress";
import { PLATFORM_NAMESPACE_LABEL, type PlatformNamespace } from "../../core/platform-namespace";
import { podMonitor } from "../../core/pod-monitor";
import { addOnDatabaseProps } from "../../database/addon-database";
import { postgresAppUser } from "../../database/postgres-app-user";
import { RdsDatabase } from "../../database/rds-database";
import { EXTERNAL_SECRETS_ADDON_ID } from "../external-secrets/addon";
import { generatedSecret, syncSecret } from "../external-secrets/sync-secret";
import { MLFLOW_CONFIG, type MlflowConfig, type MlflowConfigInput, parseMlflowConfig } from "./config";
import {
  MLFLOW_ADDON_ID,
  MLFLOW_ARTIFACT_PREFIX,
  MLFLOW_AUTH_DATABASE,
  MLFLOW_DATABASE,
  MLFLOW_NAMESPACE,
  MLFLOW_POD_LABELS,
  MLFLOW_PORT,
  MLFLOW_SECRETS,
  MLFLOW_SERVICE_ACCOUNT,
} from "./names";
import { mlflowChartValues } from "./values";

export * from "./names";

export interface MlflowOutputs extends HelmAddOnOutputs {
  /** In-cluster tracking URI (`MLFLOW_TRACKING_URI`). */
  readonly trackingUri: string;
  /** Where artifacts are stored (`s3://<models bucket>/mlflow`); clients reach them through the server. */
  readonly artifactLocation: string;
  /** RDS endpoint host of the backend store. */
  readonly databaseAddress: string;
  readonly database: RdsDatabase;
  readonly serverRole: ServiceAccountRole;
  /** Secret holding the basic-auth admin `username`/`password` (auth mode "basic"). */
  readonly adminSecretName?: string;
  /** `https://<host>` when an ingress is configured. */
  readonly externalUrl?: string;
}

/**
 * MLflow tracking server and model registry: the community-charts chart with its backend store on a private,
 * encrypted RDS PostgreSQL, artifacts proxied by the server to the data lake's `models` zone under `mlflow/`
 * (IRSA role allowed exactly that prefix), database migrations on every rollout, and basic or OIDC login.
 */
export class MlflowAddOn extends HelmAddOn<MlflowOutputs> {
  readonly id = MLFLOW_ADDON_ID;
  override readonly dependsOn: readonly string[];
  protected readonly chart = CHARTS.mlflow;
  protected readonly defaultNamespace = MLFLOW_NAMESPACE;
  protected readonly defaultReleaseName = "mlflow";
  private database?: RdsDatabase;
  private role?: ServiceAccountRole;

  constructor(readonly config: MlflowConfig) {
    // The Secrets come from ExternalSecrets, which the platform applies after the add-ons (their CRDs come
    // with the operator's release), so the release cannot wait for ready pods: they start once the Secrets
    // exist. `atomic` implies waiting and is turned off with it. The config refuses both (SECRETS_AFTER_RELEASE).
    super({ ...config.helm, wait: false, atomic: false });
    // The controller's webhook validates the chart's Ingress: it must be up before the release.
    this.dependsOn = config.ingress
      ? [EXTERNAL_SECRETS_ADDON_ID, LOAD_BALANCER_CONTROLLER_ADDON_ID]
      : [EXTERNAL_SECRETS_ADDON_ID];
  }

  private bucket(context: AddOnContext): string {
    const models = context.dataLake?.buckets.models;
    if (!models) {
      throw new Error(
        `add-on mlflow: the data lake has no "models" zone (zones: ${Object.keys(context.dataLake?.buckets ?? {}).join(", ") || "no data lake"}); MLflow stores artifacts there`,
      );
    }
    return models.bucketName;
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    const db = this.config.database;
    const lake = context.dataLake;
    this.bucket(context);
    this.database = new RdsDatabase(
      context.scope,
      "Database",
      addOnDatabaseProps(context, {
        engine: "postgres",
        name: "mlflow",
        databaseName: MLFLOW_DATABASE,
        settings: db,
        tags: { ...context.platform.tags, "mlops.io/component": "mlflow" },
      }),
    );

    // Exactly the lake's own statements for the models zone under mlflow/: nothing else in S3.
    const artifacts = new DataAwsIamPolicyDocument(context.scope, "ArtifactsPolicy", {
      statement: [
        ...(lake?.policyStatements("read", "models", MLFLOW_ARTIFACT_PREFIX) ?? []),
        ...(lake?.policyStatements("write", "models", MLFLOW_ARTIFACT_PREFIX) ?? []),
      ],
    });
    this.role = context.cluster.serviceAccountRole("mlflow-server", {
      namespace: this.namespaceName,
      serviceAccount: MLFLOW_SERVICE_ACCOUNT,
      mode: "irsa",
      inlinePolicies: { "mlflow-artifacts": artifacts.json },
    });

    // MLflow connects as its own role with a password generated in the cluster, never as the master user:
    // RDS rotates the master password, which MLflow (reading it once from the environment) would not follow.
    postgresAppUser(context, {
      id: "Db",
      namespace,
      host: this.database.address,
      port: this.database.port,
      masterSecretArn: this.database.masterSecretArn,
      kmsKeyArn: context.cluster.kmsKeyArn,
      username: MLFLOW_DATABASE,
      databaseName: MLFLOW_DATABASE,
      secretName: MLFLOW_SECRETS.database,
      vpcCidr: context.platform.vpcCidr,
    });
    if (this.config.auth.mode === "basic") {
      // The basic-auth store: its own role and database on the same instance (MLFLOW_AUTH_DATABASE), created
      // by the same kind of bootstrap Job, so users and permissions are shared by all replicas.
      postgresAppUser(context, {
        id: "AuthDb",
        namespace,
        host: this.database.address,
        port: this.database.port,
        masterSecretArn: this.database.masterSecretArn,
        kmsKeyArn: context.cluster.kmsKeyArn,
        username: MLFLOW_AUTH_DATABASE,
        databaseName: MLFLOW_AUTH_DATABASE,
        secretName: MLFLOW_SECRETS.authDatabase,
        vpcCidr: context.platform.vpcCidr,
      });
      generatedSecret(context, {
        id: "Admin",
        namespace: this.namespaceName,
        name: MLFLOW_SECRETS.admin,
        // No symbols: the chart substitutes the password into its auth INI with sed.
        keys: { password: { length: 32, symbols: 0 } },
        literals: { username: "admin" },
      });
    } else if (this.config.auth.mode === "oidc" && this.config.auth.oidc) {
      syncSecret(context, {
        id: "Oidc",
        namespace: this.namespaceName,
        name: MLFLOW_SECRETS.oidc,
        secretArn: this.config.auth.oidc.clientSecretArn,
        template: { OIDC_CLIENT_SECRET: "{{ .clientSecret }}" },
      });
    }

    const platformNamespaces = [
      { namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } },
    ];
    namespace.allowIngress(
      "Tracking",
      { from: platformNamespaces, ports: [{ port: String(MLFLOW_PORT), protocol: "TCP" }] },
      MLFLOW_POD_LABELS,
    );
    if (this.config.ingress)
      allowLoadBalancer(namespace, context.platform.vpcCidr, MLFLOW_PORT, MLFLOW_POD_LABELS);
    namespace.allowEgress(
      "Database",
      {
        to: [{ ipBlock: { cidr: context.platform.vpcCidr } }],
        ports: [{ port: String(this.database.port), protocol: "TCP" }],
      },
      MLFLOW_POD_LABELS,
    );
    // S3 (gateway endpoint or NAT: public ranges), STS and Secrets Manager, and the OIDC provider.
    namespace.allowHttpsEgress("AwsApis", MLFLOW_POD_LABELS);
  }

  protected values(context: AddOnContext): Record<string, unknown> {
    return mlflowChartValues({
      config: this.config,
      namespace: this.namespaceName,
      region: context.platform.region,
      databaseHost: (this.database as RdsDatabase).address,
      databasePort: (this.database as RdsDatabase).port,
      bucket: this.bucket(context),
      roleArn: (this.role as ServiceAccountRole).roleArn,
      monitoring: context.has("monitoring"),
      vpcCidr: context.platform.vpcCidr,
    });
  }

  // The server writes artifacts with its role from the first request on.
  protected override releaseDependsOn(): readonly ITerraformDependable[] {
    return this.role?.grants ?? [];
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): MlflowOutputs {
    const database = this.database as RdsDatabase;
    if (context.has("monitoring")) {
      // The server's --expose-prometheus metrics on its HTTP port, admitted by the Tracking NetworkPolicy.
      context.manifest(
        "ServerPodMonitor",
        podMonitor({
          name: "mlflow",
          namespace: this.namespaceName,
          selector: MLFLOW_POD_LABELS,
          portNumber: MLFLOW_PORT,
        }),
      );
    }
    return {
      ...outputs,
      trackingUri: `http://mlflow.${this.namespaceName}.svc:${MLFLOW_PORT}`,
      artifactLocation: `s3://${this.bucket(context)}/${MLFLOW_ARTIFACT_PREFIX.replace(/\/$/, "")}`,
      databaseAddress: database.address,
      database,
      serverRole: this.role as ServiceAccountRole,
      adminSecretName: this.config.auth.mode === "basic" ? MLFLOW_SECRETS.admin : undefined,
      externalUrl: this.config.ingress ? `https://${this.config.ingress.host}` : undefined,
    };
  }
}

/**
 * The MLflow add-on (id `mlflow`, depends on `external-secrets`, and on `aws-load-balancer-controller` with an
 * ingress); takes `addons.mlflow`.
 */
export function mlflowAddOn(config: MlflowConfigInput | MlflowConfig = {}): AddOn<MlflowOutputs> {
  return new MlflowAddOn(parseMlflowConfig(config));
}

/** The registry entry: `addons.mlflow` switches it on. */
export const mlflowDefinition = {
  id: MLFLOW_ADDON_ID,
  config: MLFLOW_CONFIG,
  create: (config: MlflowConfig) => new MlflowAddOn(config),
  dependencyProblem: (dependency, config) =>
    ingressDependencyProblem(dependency, ["mlflow", "ingress"], config.ingress),
} satisfies AddOnDefinition<typeof MLFLOW_CONFIG>;
