import type { ErrorObject } from "ajv";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1/PriorityClass";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { SchemaIssue } from "./ajv";
import { toIssues } from "./ajv";
import { type ObjectResult, objectName } from "./custom-resource";
import { isPlainObject } from "./helm-values";
import { checkMetadata } from "./names";

/**
 * Built-in Kubernetes kinds the kit emits, validated with the JSON schemas compiled into `kubernetes-models`
 * (generated from the Kubernetes OpenAPI spec). Like the API server's schemas these do not reject unknown
 * fields; typed provider resources cannot have any, and `kubernetes_manifest` objects are additionally checked
 * server-side (field validation) at apply time.
 */
type ModelClass = new (data: Record<string, unknown>) => { validate(): void };

const MODELS: ReadonlyArray<readonly [apiVersion: string, ModelClass & { kind: string }]> = [
  ["v1", Namespace],
  ["v1", ServiceAccount],
  ["v1", ConfigMap],
  ["v1", Secret],
  ["v1", Service],
  ["v1", PersistentVolumeClaim],
  ["v1", ResourceQuota],
  ["v1", LimitRange],
  ["apps/v1", Deployment],
  ["apps/v1", StatefulSet],
  ["apps/v1", DaemonSet],
  ["batch/v1", Job],
  ["batch/v1", CronJob],
  ["networking.k8s.io/v1", NetworkPolicy],
  ["networking.k8s.io/v1", Ingress],
  ["rbac.authorization.k8s.io/v1", Role],
  ["rbac.authorization.k8s.io/v1", RoleBinding],
  ["rbac.authorization.k8s.io/v1", ClusterRole],
  ["rbac.authorization.k8s.io/v1", ClusterRoleBinding],
  ["storage.k8s.io/v1", StorageClass],
  ["policy/v1", PodDisruptionBudget],
  ["autoscaling/v2", HorizontalPodAutoscaler],
  ["scheduling.k8s.io/v1", PriorityClass],
] as unknown as ReadonlyArray<readonly [string, ModelClass & { kind: string }]>;

const BY_TYPE = new Map(MODELS.map(([apiVersion, cls]) => [`${apiVersion}|${cls.kind}`, cls]));

/** `apiVersion kind` of every supported core kind. */
export function coreKinds(): string[] {
  return MODELS.map(([apiVersion, cls]) => `${apiVersion} ${cls.kind}`);
}

export function isCoreKind(apiVersion: string, kind: string): boolean {
  return BY_TYPE.has(`${apiVersion}|${kind}`);
}

/** Validates a built-in Kubernetes object (apiVersion/kind must be one of `coreKinds()`). */
export function validateCoreObject(object: unknown): ObjectResult {
  if (!isPlainObject(object)) {
    return {
      kind: "?",
      name: "?",
      valid: false,
      issues: [{ path: "(root)", message: "object must be a map" }],
    };
  }
  const kind = String(object.kind ?? "?");
  const name = objectName(object);
  const cls = BY_TYPE.get(`${String(object.apiVersion)}|${kind}`);
  if (!cls) {
    const sameKind = MODELS.filter(([, c]) => c.kind === kind).map(([v]) => v);
    const hint = sameKind.length
      ? `${kind} is supported as ${sameKind.join(", ")}`
      : `supported: ${coreKinds().join(", ")}`;
    return {
      kind,
      name,
      valid: false,
      issues: [
        { path: "apiVersion", message: `no core schema for ${String(object.apiVersion)} ${kind}; ${hint}` },
      ],
    };
  }
  const issues: SchemaIssue[] = checkMetadata(kind, object.metadata);
  try {
    new cls(object).validate();
  } catch (err) {
    const errors = (err as { errors?: ErrorObject[] }).errors;
    if (!errors) throw err;
    issues.push(...toIssues(errors, object));
  }
  return { kind, name, valid: issues.length === 0, issues };
}
