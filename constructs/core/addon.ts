import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { dependable, TerraformResource } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import type { IClusterContext, IServiceAccountRole, ServiceAccountRoleOptions } from "./cluster-contract";
import type { Tags } from "./tags";

/** IAM policy statement as `aws_iam_policy_document` takes it, so add-ons can compose it into their roles. */
export type PolicyStatement = DataAwsIamPolicyDocumentStatement;

/** What add-ons may use of the data lake: bucket coordinates and least-privilege statements per zone/prefix. */
export interface DataLakeRef {
  readonly kmsKeyArn: string;
  readonly buckets: Readonly<Record<string, { readonly bucketName: string; readonly bucketArn: string }>>;
  policyStatements(access: "read" | "write", zone?: string, prefix?: string): PolicyStatement[];
}

/** Platform-wide facts every add-on may read. */
export interface PlatformInfo {
  readonly name: string;
  readonly environment: string;
  readonly region: string;
  /** `<name>-<environment>`, the prefix of AWS resource names. */
  readonly prefix: string;
  readonly sandbox: boolean;
  readonly tags: Tags;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly privateSubnetIds: readonly string[];
  /**
   * The foundation's ECR repository URLs by name (`registry.repositories`), e.g. the reference service's
   * `inference-service`. @default - none
   */
  readonly containerRepositories?: Readonly<Record<string, string>>;
}

/** Handed to `deploy`: where to build, the cluster, the lake, and what other add-ons produced. */
export interface AddOnContext {
  /** A construct scope owned by this add-on, inside the platform stack. */
  readonly scope: Construct;
  readonly cluster: IClusterContext;
  readonly platform: PlatformInfo;
  readonly dataLake?: DataLakeRef;
  /** Whether an add-on with this id is part of the platform (e.g. to add a ServiceMonitor when monitoring is). */
  has(id: string): boolean;
  /** Outputs of a dependency (listed in `dependsOn`), deployed before this add-on. */
  outputsOf<T = Record<string, unknown>>(id: string): T;
  /**
   * A custom resource (`kubernetes_manifest`). Terraform plans a manifest against the live API, so a resource
   * whose CRD a release of this run installs cannot plan in the same stack: the blueprint gives manifests their
   * own stack, applied after the add-ons' stack. Every manifest is validated against its CRD schema in tests.
   */
  manifest(id: string, manifest: Record<string, unknown>): Manifest;
}

/** Where custom resources go: a scope (usually in a later stack) and the kubernetes provider of that stack. */
export interface ManifestTarget {
  readonly scope: Construct;
  readonly provider: KubernetesProvider;
}

/**
 * The one contract for everything installed into the cluster. An add-on names what it depends on and builds its
 * resources in `deploy`; `deployAddOns` orders add-ons, hands each the context and makes Terraform apply
 * dependents after their dependencies.
 */
export interface AddOn<TOutputs = Record<string, unknown>> {
  /** Stable id: the construct id of the add-on's scope (renaming it replaces its resources). */
  readonly id: string;
  /** Ids of add-ons that must be deployed first. */
  readonly dependsOn?: readonly string[];
  deploy(context: AddOnContext): TOutputs;
}

/** An IAM role an add-on created through `context.cluster.serviceAccountRole`, with what it was for. */
export interface DeployedServiceAccountRole {
  /** The construct id it was created with. */
  readonly id: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly role: IServiceAccountRole;
}

export interface DeployedAddOn {
  readonly addOn: AddOn<unknown>;
  readonly scope: Construct;
  readonly outputs: unknown;
  /** Every service-account role the add-on created (helpers it called included), in creation order. */
  readonly serviceAccountRoles: readonly DeployedServiceAccountRole[];
}

/**
 * The cluster as one add-on sees it: the same object, except that the roles it creates are recorded for it,
 * so every add-on's roles are known without each add-on listing them.
 */
function recordingRoles(cluster: IClusterContext, roles: DeployedServiceAccountRole[]): IClusterContext {
  const serviceAccountRole = (id: string, options: ServiceAccountRoleOptions): IServiceAccountRole => {
    const role = cluster.serviceAccountRole(id, options);
    roles.push({ id, namespace: options.namespace, serviceAccount: options.serviceAccount, role });
    return role;
  };
  return new Proxy(cluster, {
    get: (target, key) =>
      key === "serviceAccountRole" ? serviceAccountRole : Reflect.get(target, key, target),
  });
}

/** Orders add-ons so each comes after its dependencies; fails on duplicates, unknown dependencies and cycles. */
export function orderAddOns(addOns: readonly AddOn<unknown>[]): AddOn<unknown>[] {
  const byId = new Map<string, AddOn<unknown>>();
  for (const a of addOns) {
    if (byId.has(a.id))
      throw new Error(`add-on id ${JSON.stringify(a.id)} is used twice; ids must be unique`);
    byId.set(a.id, a);
  }
  for (const a of addOns) {
    for (const dep of a.dependsOn ?? []) {
      if (!byId.has(dep)) {
        throw new Error(
          `add-on ${JSON.stringify(a.id)} depends on ${JSON.stringify(dep)}, which is not enabled (enabled: ${[...byId.keys()].join(", ") || "none"})`,
        );
      }
    }
  }
  const ordered: AddOn<unknown>[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (a: AddOn<unknown>, trail: string[]) => {
    if (state.get(a.id) === "done") return;
    if (state.get(a.id) === "visiting") {
      throw new Error(`add-on dependency cycle: ${[...trail, a.id].join(" -> ")}`);
    }
    state.set(a.id, "visiting");
    for (const dep of a.dependsOn ?? []) visit(byId.get(dep) as AddOn<unknown>, [...trail, a.id]);
    state.set(a.id, "done");
    ordered.push(a);
  };
  for (const a of addOns) visit(a, []);
  return ordered;
}

/** Resources whose readiness stands for "this add-on is installed": releases and manifests. */
function anchors(scope: IConstruct): TerraformResource[] {
  return scope.node
    .findAll()
    .filter(
      (c): c is TerraformResource =>
        c instanceof TerraformResource &&
        ["helm_release", "kubernetes_manifest"].includes(c.terraformResourceType),
    );
}

/**
 * Deploys add-ons into `scope` in dependency order. Each gets its own child construct named by its id, and
 * every release/manifest of a dependent add-on gets `depends_on` the releases/manifests of its dependencies.
 */
export function deployAddOns(
  scope: Construct,
  base: Omit<AddOnContext, "scope" | "has" | "outputsOf" | "manifest">,
  addOns: readonly AddOn<unknown>[],
  manifests?: ManifestTarget,
): Map<string, DeployedAddOn> {
  const ordered = orderAddOns(addOns);
  const enabled = new Set(ordered.map((a) => a.id));
  const deployed = new Map<string, DeployedAddOn>();
  for (const addOn of ordered) {
    const own = new Construct(scope, addOn.id);
    let manifestScope: Construct | undefined;
    const serviceAccountRoles: DeployedServiceAccountRole[] = [];
    const context: AddOnContext = {
      ...base,
      cluster: recordingRoles(base.cluster, serviceAccountRoles),
      scope: own,
      has: (id) => enabled.has(id),
      outputsOf: <T>(id: string) => {
        if (!(addOn.dependsOn ?? []).includes(id)) {
          throw new Error(
            `add-on ${JSON.stringify(addOn.id)} reads outputs of ${JSON.stringify(id)} without declaring it in dependsOn`,
          );
        }
        return deployed.get(id)?.outputs as T;
      },
      manifest: (id, manifest) => {
        manifestScope ??= manifests ? new Construct(manifests.scope, addOn.id) : own;
        const provider = manifests?.provider ?? base.cluster.kubernetesProvider;
        return new Manifest(manifestScope, id, { provider, manifest });
      },
    };
    const outputs = addOn.deploy(context);
    deployed.set(addOn.id, { addOn, scope: own, outputs, serviceAccountRoles });
    const upstream = (addOn.dependsOn ?? []).flatMap((dep) =>
      anchors((deployed.get(dep) as DeployedAddOn).scope),
    );
    if (upstream.length > 0) {
      for (const resource of anchors(own)) {
        resource.dependsOn = [
          ...new Set([...(resource.dependsOn ?? []), ...upstream.map((u) => dependable(u))]),
        ];
      }
    }
  }
  return deployed;
}
