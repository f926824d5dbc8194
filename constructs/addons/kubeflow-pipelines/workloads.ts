import {
  DeploymentV1,
  type DeploymentV1SpecTemplateSpecContainer,
  type DeploymentV1SpecTemplateSpecContainerEnv,
  type DeploymentV1SpecTemplateSpecVolume,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1, type RoleV1Rule } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { KfpResources } from "./config";

/** Label every object of the add-on carries (upstream uses the same key for its Application CR). */
export const KFP_APP_LABEL = { "application-crd-id": "kubeflow-pipelines" } as const;

/** Env var helpers in the provider's shape. */
export type Env = DeploymentV1SpecTemplateSpecContainerEnv;
export const env = (name: string, value: string): Env => ({ name, value });
export const secretEnv = (name: string, secret: string, key: string): Env => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});
export const fieldEnv = (name: string, fieldPath: string): Env => ({
  name,
  valueFrom: { fieldRef: { fieldPath } },
});

export interface ProbeSpec {
  /** HTTP GET path on `port`, or a TCP check when undefined. */
  readonly path?: string;
  readonly port?: number;
  /** A command instead, for components without a port. */
  readonly exec?: string[];
  /** Grace for slow starts (DB migrations): failureThreshold × 5 s before liveness applies. @default 12 */
  readonly startupFailures?: number;
}

function probes(p: ProbeSpec) {
  const check = p.exec
    ? { exec: { command: p.exec } }
    : p.path
      ? { httpGet: { path: p.path, port: String(p.port) } }
      : { tcpSocket: [{ port: String(p.port) }] };
  return {
    startupProbe: {
      ...check,
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: p.startupFailures ?? 12,
    },
    readinessProbe: { ...check, periodSeconds: 5, timeoutSeconds: 2 },
    livenessProbe: { ...check, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 },
  };
}

export interface ComponentProps {
  readonly provider: KubernetesProvider;
  readonly namespace: string;
  /** Deployment and Service name (the upstream name, which other components and the SDK address). */
  readonly name: string;
  /** Pod selector labels (upstream's, so upstream docs and dashboards keep working). */
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccountName: string;
  readonly image: string;
  readonly containerName?: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: Env[];
  /** Container ports by name; each also becomes a Service port unless `service` is false. */
  readonly ports?: Readonly<Record<string, number>>;
  readonly service?: boolean;
  /** Service name when it differs from the Deployment's (upstream `metadata-grpc-service`). @default name */
  readonly serviceName?: string;
  readonly probe: ProbeSpec;
  readonly resources: KfpResources;
  /** UID of the image's non-root user. @default 1000 */
  readonly runAsUser?: number;
  readonly readOnlyRootFilesystem?: boolean;
  /** Writable scratch dirs (emptyDir) for images that write to their filesystem. @default {} */
  readonly scratch?: Readonly<Record<string, string>>;
  readonly extraVolumes?: DeploymentV1SpecTemplateSpecVolume[];
  readonly extraMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One KFP component as typed resources: a Deployment whose pod and container meet PSS `restricted`, with
 * requests, limits and probes, and (unless disabled) a ClusterIP Service of the same name.
 */
export function component(scope: Construct, id: string, p: ComponentProps) {
  const ports = Object.entries(p.ports ?? {});
  const scratch = Object.entries(p.scratch ?? {});
  const container: DeploymentV1SpecTemplateSpecContainer = {
    name: p.containerName ?? p.name,
    image: p.image,
    // Tags (not digests) are pinned in kubeflow-images.ts; Always makes a re-pushed tag visible instead of a
    // node silently running a stale copy.
    imagePullPolicy: "Always",
    command: p.command,
    args: p.args,
    env: p.env,
    port: ports.map(([name, port]) => ({ name, containerPort: port, protocol: "TCP" })),
    resources: {
      requests: { cpu: p.resources.cpu, memory: p.resources.memory },
      limits: { cpu: p.resources.cpuLimit, memory: p.resources.memory },
    },
    securityContext: restrictedContainerSecurityContext({
      runAsUser: String(p.runAsUser ?? 1000),
      readOnlyRootFilesystem: p.readOnlyRootFilesystem ?? true,
    }),
    volumeMount: [...scratch.map(([name, mountPath]) => ({ name, mountPath })), ...(p.extraMounts ?? [])],
    ...probes(p.probe),
  };
  const deployment = new DeploymentV1(scope, id, {
    provider: p.provider,
    metadata: { name: p.name, namespace: p.namespace, labels: { ...p.labels, ...KFP_APP_LABEL } },
    spec: {
      replicas: "1",
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...p.labels } },
      template: {
        metadata: { labels: { ...p.labels, ...KFP_APP_LABEL } },
        spec: {
          serviceAccountName: p.serviceAccountName,
          securityContext: restrictedPodSecurityContext({
            runAsUser: String(p.runAsUser ?? 1000),
            fsGroup: String(p.runAsUser ?? 1000),
          }),
          container: [container],
          volume: [
            ...scratch.map(([name]) => ({ name, emptyDir: { sizeLimit: "256Mi" } })),
            ...(p.extraVolumes ?? []),
          ],
        },
      },
    },
    waitForRollout: false,
    dependsOn: p.dependsOn,
  });
  const service =
    p.service === false || ports.length === 0
      ? undefined
      : new ServiceV1(scope, `${id}Service`, {
          provider: p.provider,
          metadata: {
            name: p.serviceName ?? p.name,
            namespace: p.namespace,
            labels: { ...p.labels, ...KFP_APP_LABEL },
          },
          spec: {
            type: "ClusterIP",
            selector: { ...p.labels },
            port: ports.map(([name, port]) => ({ name, port, targetPort: String(port), protocol: "TCP" })),
          },
          dependsOn: p.dependsOn,
        });
  return { deployment, service };
}

export interface AccountProps {
  readonly provider: KubernetesProvider;
  readonly namespace: string;
  readonly name: string;
  /** Namespaced RBAC rules (a Role bound to the account); none when empty. */
  readonly rules: RoleV1Rule[];
  /** IRSA role ARN annotation, for accounts that reach AWS. */
  readonly roleArn?: string;
  readonly dependsOn?: ITerraformDependable[];
}

/** A service account with its own Role and RoleBinding in the namespace (no cluster-wide grants). */
export function account(scope: Construct, id: string, p: AccountProps) {
  const labels = { ...KFP_APP_LABEL };
  const sa = new ServiceAccountV1(scope, `${id}Account`, {
    provider: p.provider,
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels,
      annotations: p.roleArn
        ? { "eks.amazonaws.com/role-arn": p.roleArn, "eks.amazonaws.com/sts-regional-endpoints": "true" }
        : undefined,
    },
    dependsOn: p.dependsOn,
  });
  if (p.rules.length === 0) return { sa };
  const role = new RoleV1(scope, `${id}Role`, {
    provider: p.provider,
    metadata: { name: p.name, namespace: p.namespace, labels },
    rule: p.rules,
    dependsOn: p.dependsOn,
  });
  const binding = new RoleBindingV1(scope, `${id}RoleBinding`, {
    provider: p.provider,
    metadata: { name: p.name, namespace: p.namespace, labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: p.name },
    subject: [{ kind: "ServiceAccount", name: p.name, namespace: p.namespace }],
    dependsOn: p.dependsOn,
  });
  return { sa, role, binding };
}

/** Shorthand for an RBAC rule. */
export const rule = (apiGroups: string[], resources: string[], verbs: string[]): RoleV1Rule => ({
  apiGroups,
  resources,
  verbs,
});
