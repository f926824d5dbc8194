import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { stringify } from "yaml";
import type { ServiceAccountRole } from "../../cluster/service-account-role";
import type { AddOnContext, PolicyStatement } from "../../core/addon";
import type { AddOnDefinition } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import type { HelmRelease } from "../../core/helm-release";
import { PLATFORM_NAMESPACE_LABEL, type PlatformNamespace } from "../../core/platform-namespace";
import { podMonitor } from "../../core/pod-monitor";
import { normalizePrefix } from "../../data-lake/grants";
import { argoValues } from "./argo-values";
import { KFP_LABELS, KFP_PORTS, KFP_SERVICE_ACCOUNTS, kfpComponents } from "./components";
import {
  KUBEFLOW_PIPELINES_CONFIG,
  type KubeflowPipelinesConfig,
  type KubeflowPipelinesConfigInput,
  parseKubeflowPipelinesConfig,
} from "./config";
import { type KfpImages, kfpImages } from "./images";
import { type MetadataStore, metadataStore } from "./metadata";
import { ARGO_CONTROLLER } from "./names";
import { KFP_APP_LABEL } from "./workloads";

export const KUBEFLOW_PIPELINES_ADDON_ID = "kubeflow-pipelines";
export const KUBEFLOW_NAMESPACE = "kubeflow";

/** What the add-on hands to dependents (and to tests). */
export interface KubeflowPipelinesOutputs extends HelmAddOnOutputs {
  readonly version: string;
  /** In-cluster address of the API server (HTTP, what the `kfp` SDK's `host` takes). */
  readonly apiEndpoint: string;
  readonly uiService?: string;
  /** `s3://<bucket>/<prefix>artifacts`, the default pipeline root. */
  readonly pipelineRoot: string;
  readonly artifactBucket: string;
  readonly artifactPrefix: string;
  /** IRSA role per service account that reaches S3. */
  readonly roles: Readonly<Record<string, ServiceAccountRole>>;
  /** The Argo Workflows release (`release`). */
  readonly argoRelease: HelmRelease;
  readonly metadata: MetadataStore;
  /** The merged argo-workflows chart values (`values`, for validation). */
  readonly argoValues: Record<string, unknown>;
}

/** What `beforeRelease` builds and the release and the components need. */
interface Prepared {
  readonly bucket: string;
  readonly prefix: string;
  readonly images: KfpImages;
  readonly roles: Record<string, ServiceAccountRole>;
  readonly metadata: MetadataStore;
  readonly pipelineRoot: string;
  readonly scheduledWorkflowCrd: Manifest;
}

/**
 * Kubeflow Pipelines v2 (single-user) in the `kubeflow` namespace: the KFP components as typed Kubernetes
 * resources (no kustomize, no kubectl at deploy time), the Argo Workflows controller from its pinned chart
 * (the add-on's Helm release, `addons.kubeflowPipelines.helm`) watching only this namespace, pipeline
 * artifacts in one data-lake zone/prefix through IRSA, and MySQL metadata on RDS or in the cluster.
 */
export class KubeflowPipelinesAddOn extends HelmAddOn<KubeflowPipelinesOutputs> {
  readonly id = KUBEFLOW_PIPELINES_ADDON_ID;
  override readonly dependsOn = ["external-secrets"] as const;
  protected readonly chart = CHARTS.argoWorkflows;
  // Restricted (the default): every KFP image runs as non-root without added capabilities; pipeline steps get
  // a non-root default security context from the API server and Argo's workflowDefaults.
  protected readonly defaultNamespace = KUBEFLOW_NAMESPACE;
  protected readonly defaultReleaseName = "argo-workflows";
  protected override readonly releaseId = "ArgoWorkflows";
  private prepared?: Prepared;

  constructor(readonly config: KubeflowPipelinesConfig) {
    super(config.helm);
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    const c = this.config;
    const ns = namespace.name;
    const provider = context.cluster.kubernetesProvider;
    const region = context.platform.region;
    const images = kfpImages(c.version);
    const lake = context.dataLake;
    if (!lake) {
      throw new Error(
        "kubeflow-pipelines: the platform has no data lake; pipeline artifacts need one (enable dataLake)",
      );
    }
    const zone = lake.buckets[c.artifacts.zone];
    if (!zone) {
      throw new Error(
        `addons.kubeflowPipelines.artifacts.zone: got ${JSON.stringify(c.artifacts.zone)}; expected a data-lake zone (${Object.keys(lake.buckets).join(", ")})`,
      );
    }
    const prefix = normalizePrefix(c.artifacts.prefix);
    const deps = [namespace.resource];

    const role = (
      id: string,
      serviceAccount: string,
      access: "read" | "write",
      extra: PolicyStatement[] = [],
    ) => {
      const statements: PolicyStatement[] = [
        ...lake.policyStatements(access, c.artifacts.zone, prefix),
        ...extra,
      ];
      const doc = new DataAwsIamPolicyDocument(context.scope, `${id}S3Policy`, { statement: statements });
      return context.cluster.serviceAccountRole(`Kfp${id}Role`, {
        namespace: ns,
        serviceAccount,
        mode: "irsa",
        inlinePolicies: { "kfp-artifacts": doc.json },
        tags: context.platform.tags,
      });
    };
    const roles: Record<string, ServiceAccountRole> = {
      [KFP_SERVICE_ACCOUNTS.apiServer]: role(
        "ApiServer",
        KFP_SERVICE_ACCOUNTS.apiServer,
        "write",
        // HEAD bucket (the API server's startup BucketExists) is authorized as ListBucket without s3:prefix,
        // which the prefix-scoped grant does not cover. Opt-in: it also lets the role list the whole zone.
        c.artifacts.apiServerBucketCheck
          ? [
              {
                sid: "ApiServerBucketCheck",
                effect: "Allow",
                actions: ["s3:ListBucket"],
                resources: [zone.bucketArn],
              },
            ]
          : [],
      ),
      [KFP_SERVICE_ACCOUNTS.pipelineRunner]: role(
        "PipelineRunner",
        KFP_SERVICE_ACCOUNTS.pipelineRunner,
        "write",
      ),
    };
    if (c.ui.enabled) roles[KFP_SERVICE_ACCOUNTS.ui] = role("Ui", KFP_SERVICE_ACCOUNTS.ui, "read");

    const metadata = metadataStore(context, c, ns, images, deps);
    const pipelineRoot = `s3://${zone.bucketName}/${prefix}artifacts`;

    // The launcher and driver read this in every step: default root and S3 settings, credentials from the
    // pod's environment (IRSA web identity), region explicit so the SDK never guesses.
    new ConfigMapV1(context.scope, "LauncherConfig", {
      provider,
      metadata: { name: "kfp-launcher", namespace: ns, labels: { ...KFP_APP_LABEL } },
      data: {
        defaultPipelineRoot: pipelineRoot,
        providers: stringify({
          s3: {
            default: {
              endpoint: `s3.${region}.amazonaws.com`,
              region,
              disableSSL: false,
              forcePathStyle: false,
              credentials: { fromEnv: true },
            },
          },
        }),
      },
      dependsOn: deps,
    });
    new ConfigMapV1(context.scope, "MetadataGrpcConfig", {
      provider,
      metadata: { name: "metadata-grpc-configmap", namespace: ns, labels: { ...KFP_APP_LABEL } },
      data: {
        METADATA_GRPC_SERVICE_HOST: `metadata-grpc-service.${ns}`,
        METADATA_GRPC_SERVICE_PORT: String(KFP_PORTS.metadataGrpc),
      },
      dependsOn: deps,
    });

    // ScheduledWorkflow is KFP's own CRD (recurring runs); a built-in kind, so it plans in this stack.
    const swfCrd = new Manifest(context.scope, "ScheduledWorkflowCrd", {
      provider,
      manifest: scheduledWorkflowCrd(),
    });
    this.prepared = {
      bucket: zone.bucketName,
      prefix,
      images,
      roles,
      metadata,
      pipelineRoot,
      scheduledWorkflowCrd: swfCrd,
    };
  }

  protected values(context: AddOnContext, namespace: PlatformNamespace): Record<string, unknown> {
    const p = this.prepared as Prepared;
    return argoValues({
      namespace: namespace.name,
      workflowServiceAccount: KFP_SERVICE_ACCOUNTS.pipelineRunner,
      region: context.platform.region,
      bucket: p.bucket,
      prefix: p.prefix,
      resources: this.config.resources.workflowController,
      monitoring: context.has("monitoring"),
    });
  }

  protected override afterRelease(
    context: AddOnContext,
    outputs: HelmAddOnOutputs,
  ): KubeflowPipelinesOutputs {
    const c = this.config;
    const { namespace, release } = outputs;
    const ns = namespace.name;
    const p = this.prepared as Prepared;
    const { bucket, prefix, roles, metadata } = p;

    kfpComponents(context.scope, {
      provider: context.cluster.kubernetesProvider,
      namespace: ns,
      config: c,
      images: p.images,
      db: metadata.db,
      region: context.platform.region,
      bucket,
      prefix,
      roleArns: {
        apiServer: roles[KFP_SERVICE_ACCOUNTS.apiServer].roleArn,
        pipelineRunner: roles[KFP_SERVICE_ACCOUNTS.pipelineRunner].roleArn,
        ui: roles[KFP_SERVICE_ACCOUNTS.ui]?.roleArn ?? "",
      },
      // Their pods reach S3 with the roles from the start: the roles' grants too, not just the role ARNs.
      dependsOn: [
        namespace.resource,
        release,
        p.scheduledWorkflowCrd,
        ...Object.values(roles).flatMap((r) => r.grants),
      ],
    });

    this.networkPolicies(context, namespace, metadata);
    if (context.has("monitoring")) {
      // The API server serves Prometheus metrics on its HTTP port; Argo's controller on its metrics port.
      context.manifest("ApiServerServiceMonitor", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "ml-pipeline", namespace: ns, labels: { ...KFP_APP_LABEL } },
        spec: {
          selector: { matchLabels: KFP_LABELS.apiServer },
          namespaceSelector: { matchNames: [ns] },
          endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
        },
      });
      context.manifest(
        "WorkflowControllerPodMonitor",
        podMonitor({
          name: "argo-workflows-workflow-controller",
          namespace: ns,
          selector: ARGO_CONTROLLER.podLabels,
          portNumber: ARGO_CONTROLLER.metricsPort,
        }),
      );
    }

    return {
      ...outputs,
      version: c.version,
      apiEndpoint: `http://ml-pipeline.${ns}.svc.cluster.local:${KFP_PORTS.apiHttp}`,
      uiService: c.ui.enabled ? `ml-pipeline-ui.${ns}.svc.cluster.local:${KFP_PORTS.ui}` : undefined,
      pipelineRoot: p.pipelineRoot,
      artifactBucket: bucket,
      artifactPrefix: prefix,
      roles,
      argoRelease: release,
      metadata,
      argoValues: outputs.values,
    };
  }

  /** On top of the namespace's default-deny (which already admits traffic inside the namespace and DNS). */
  private networkPolicies(context: AddOnContext, namespace: PlatformNamespace, metadata: MetadataStore) {
    const platform = [{ namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }];
    const tcp = (port: number) => ({ port: String(port), protocol: "TCP" });
    namespace.allowIngress(
      "ApiServer",
      { from: platform, ports: [tcp(KFP_PORTS.apiHttp), tcp(KFP_PORTS.apiGrpc)] },
      KFP_LABELS.apiServer,
    );
    if (this.config.ui.enabled) {
      namespace.allowIngress("Ui", { from: platform, ports: [tcp(KFP_PORTS.ui)] }, KFP_LABELS.ui);
    }
    namespace.allowIngress(
      "MetadataGrpc",
      { from: platform, ports: [tcp(KFP_PORTS.metadataGrpc)] },
      KFP_LABELS.metadataGrpc,
    );
    if (context.has("monitoring")) {
      namespace.allowIngress(
        "WorkflowControllerMetrics",
        { from: platform, ports: [tcp(ARGO_CONTROLLER.metricsPort)] },
        ARGO_CONTROLLER.podLabels,
      );
    }
    // S3, STS (web identity), Secrets Manager and the Kubernetes API: HTTPS from every pod of the namespace
    // (pipeline steps included). Not limited to the VPC CIDR: S3 is reached through a gateway endpoint, whose
    // traffic goes to S3's public addresses (routed by prefix list), not to addresses inside the VPC.
    namespace.allowHttpsEgress("Https");
    if (metadata.rds) {
      namespace.allowEgress("Database", {
        to: [{ ipBlock: { cidr: context.platform.vpcCidr } }],
        ports: [tcp(metadata.db.port)],
      });
    }
  }
}

/** KFP's ScheduledWorkflow CRD (`kubeflow.org/v1beta1`), as upstream serves it: schema left open. */
export function scheduledWorkflowCrd(): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "scheduledworkflows.kubeflow.org", labels: { ...KFP_APP_LABEL } },
    spec: {
      group: "kubeflow.org",
      names: {
        kind: "ScheduledWorkflow",
        listKind: "ScheduledWorkflowList",
        plural: "scheduledworkflows",
        singular: "scheduledworkflow",
        shortNames: ["swf"],
      },
      scope: "Namespaced",
      versions: [
        {
          name: "v1beta1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          },
        },
      ],
    },
  };
}

/**
 * The Kubeflow Pipelines add-on (id `kubeflow-pipelines`, depends on `external-secrets`). Takes
 * `addons.kubeflowPipelines` as written (defaults applied here) or already parsed; bad configuration fails
 * here with every problem listed.
 */
export function kubeflowPipelinesAddOn(
  config: KubeflowPipelinesConfigInput | KubeflowPipelinesConfig = {},
): KubeflowPipelinesAddOn {
  return new KubeflowPipelinesAddOn(parseKubeflowPipelinesConfig(config));
}

/** The registry entry: `addons.kubeflowPipelines` switches it on. */
export const kubeflowPipelinesDefinition = {
  id: KUBEFLOW_PIPELINES_ADDON_ID,
  config: KUBEFLOW_PIPELINES_CONFIG,
  create: (config) => new KubeflowPipelinesAddOn(config as KubeflowPipelinesConfig),
} satisfies AddOnDefinition<typeof KUBEFLOW_PIPELINES_CONFIG>;
