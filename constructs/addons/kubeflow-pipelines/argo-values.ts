import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  withKeyOrder,
} from "../../core/pod-security";
import type { KfpResources } from "./config";
import { ARGO_CONTROLLER } from "./names";

export interface ArgoValuesInput {
  /** Namespace the controller watches (only this one: `singleNamespace`). */
  readonly namespace: string;
  /** Service account Workflows run as (KFP's `pipeline-runner`, which has the IRSA role). */
  readonly workflowServiceAccount: string;
  readonly region: string;
  readonly bucket: string;
  /** Normalized artifact prefix ending in "/". */
  readonly prefix: string;
  readonly resources: KfpResources;
  readonly monitoring: boolean;
}

/**
 * The container security context PSS `restricted` requires, for containers whose UID the image decides. These
 * values were first released with `runAsNonRoot` leading; the order is kept so the release's values text is too.
 */
const ARGO_KEY_ORDER = ["runAsNonRoot", "allowPrivilegeEscalation", "readOnlyRootFilesystem"] as const;
const RESTRICTED = withKeyOrder(restrictedContainerSecurityContext(), ARGO_KEY_ORDER);

/**
 * Values for the argo-workflows chart as Kubeflow Pipelines needs it: the workflow controller only (no Argo
 * server, no UI), watching only the KFP namespace, CRDs rendered by the chart (no hook Job downloading them
 * at deploy time), pods PSS-restricted, and the default artifact repository on the data-lake zone through
 * the pod's IRSA role (`useSDKCreds`), never static keys. Only keys of the chart's values.yaml are used.
 */
export function argoValues(i: ArgoValuesInput): Record<string, unknown> {
  const endpoint = `s3.${i.region}.amazonaws.com`;
  return {
    singleNamespace: true,
    // The minified CRDs are part of the release (visible in the plan); `full` would install them from a
    // pre-install hook Job that downloads YAML from GitHub with kubectl: neither declarative nor offline.
    crds: { install: true, keep: true, full: false },
    // No cluster-wide aggregate roles: nobody outside the namespace gets Workflow access implicitly.
    createAggregateRoles: false,
    workflow: {
      // KFP creates and binds `pipeline-runner` itself (with its IRSA role); the chart must not create another.
      serviceAccount: { create: false, name: i.workflowServiceAccount },
      rbac: { create: false },
    },
    controller: {
      podSecurityContext: restrictedPodSecurityContext(),
      securityContext: RESTRICTED,
      resources: {
        requests: { cpu: i.resources.cpu, memory: i.resources.memory },
        limits: { cpu: i.resources.cpuLimit, memory: i.resources.memory },
      },
      // No ttlStrategy/podGC: KFP's persistence agent deletes finished workflows (and their pods) after
      // TTL_SECONDS_AFTER_WORKFLOW_FINISH, once it has recorded them; earlier deletion would lose run state.
      workflowDefaults: {
        spec: {
          serviceAccountName: i.workflowServiceAccount,
          // Pipeline step pods must pass the namespace's PSS `restricted` enforcement.
          securityContext: restrictedPodSecurityContext({ runAsUser: 1000, fsGroup: 1000 }),
        },
      },
      metricsConfig: { enabled: i.monitoring, port: ARGO_CONTROLLER.metricsPort },
      // The KFP add-on's PodMonitor instead: the chart renders its ServiceMonitor only when the CRD exists at
      // install (.Capabilities), and nothing orders this release after the monitoring chart that brings it.
      serviceMonitor: { enabled: false },
      logging: { format: "json" },
      // With `singleNamespace` the chart creates no ClusterRole for ClusterWorkflowTemplates but still binds
      // one; off, no dangling ClusterRoleBinding waits for someone to create a role of that name.
      clusterWorkflowTemplates: { enabled: false },
    },
    executor: {
      securityContext: RESTRICTED,
      resources: {
        requests: { cpu: "10m", memory: "64Mi" },
        limits: { cpu: "500m", memory: "256Mi" },
      },
      // Web identity credentials (IRSA) need the region; without it the SDK fails with AccessDenied/region errors.
      env: [
        { name: "AWS_REGION", value: i.region },
        { name: "AWS_DEFAULT_REGION", value: i.region },
      ],
    },
    mainContainer: {
      // The resources of pipeline steps that state none (a step setting any, e.g. KFP's set_memory_request,
      // replaces them whole): enough to schedule a small Python step. No limits: a step's peak is its own.
      resources: { requests: { cpu: "100m", memory: "256Mi" } },
      securityContext: withKeyOrder(
        restrictedContainerSecurityContext({ readOnlyRootFilesystem: "unset" }),
        ARGO_KEY_ORDER,
      ),
    },
    server: { enabled: false },
    useStaticCredentials: false,
    artifactRepository: {
      archiveLogs: true,
      s3: {
        bucket: i.bucket,
        endpoint,
        region: i.region,
        insecure: false,
        useSDKCreds: true,
        // Under the granted prefix (Argo's default key is at the bucket root, which the role cannot write).
        // The chart renders keyFormat with `quote`, not `tpl`, so Argo's placeholders pass through as is.
        keyFormat: `${i.prefix}argo/{{workflow.name}}/{{pod.name}}`,
      },
    },
  };
}
