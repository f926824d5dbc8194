/**
 * The Pod Security Standard `restricted` profile, written once for every workload the kit renders (Helm values
 * and Kubernetes provider resources alike). The only documented exception is the NVIDIA device plugin, whose
 * namespace is `privileged` because the plugin needs the host's device files.
 *
 * Keys come out in one fixed order (Helm values are rendered as YAML in insertion order, so the order is part of
 * the output); ids are numbers for Helm values and strings for the Kubernetes provider's typed resources.
 */

/** User and group ids a pod or container runs as; `Id` is `number` for Helm values, `string` for the provider. */
export interface RunAsIds<Id extends number | string> {
  /** @default - the image's user (it must not be root: `runAsNonRoot` is always set) */
  readonly runAsUser?: Id;
  /** @default - the image's group */
  readonly runAsGroup?: Id;
}

export interface RestrictedPodOptions<Id extends number | string> extends RunAsIds<Id> {
  /** Group owning mounted volumes. @default - unset */
  readonly fsGroup?: Id;
  /** @default - unset (Kubernetes' Always) */
  readonly fsGroupChangePolicy?: "OnRootMismatch" | "Always";
}

export interface RestrictedPodSecurityContext<Id extends number | string> extends RestrictedPodOptions<Id> {
  readonly runAsNonRoot: true;
  readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

/** Pod-level `securityContext`: non-root and the runtime's default seccomp profile, plus the ids given. */
export function restrictedPodSecurityContext<Id extends number | string = number>(
  options: RestrictedPodOptions<Id> = {},
): RestrictedPodSecurityContext<Id> {
  return {
    runAsNonRoot: true,
    ...defined("runAsUser", options.runAsUser),
    ...defined("runAsGroup", options.runAsGroup),
    ...defined("fsGroup", options.fsGroup),
    ...defined("fsGroupChangePolicy", options.fsGroupChangePolicy),
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export interface RestrictedContainerOptions<Id extends number | string> extends RunAsIds<Id> {
  /**
   * Read-only root filesystem; `"unset"` leaves the key out (the chart or image decides), for images that write
   * outside their mounted volumes. PSS `restricted` does not require it. @default true
   */
  readonly readOnlyRootFilesystem?: boolean | "unset";
  /** Render `privileged: false` explicitly (some charts default it to unset). @default - unset */
  readonly privileged?: false;
}

export interface RestrictedContainerSecurityContext<Id extends number | string> extends RunAsIds<Id> {
  readonly allowPrivilegeEscalation: false;
  readonly capabilities: { readonly drop: ["ALL"] };
  readonly readOnlyRootFilesystem?: boolean;
  readonly runAsNonRoot: true;
  readonly privileged?: false;
  readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

/** Container-level `securityContext`: no privilege escalation, every capability dropped, non-root, seccomp. */
export function restrictedContainerSecurityContext<Id extends number | string = number>(
  options: RestrictedContainerOptions<Id> = {},
): RestrictedContainerSecurityContext<Id> {
  const readOnly = options.readOnlyRootFilesystem ?? true;
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    ...(readOnly === "unset" ? {} : { readOnlyRootFilesystem: readOnly }),
    runAsNonRoot: true,
    ...defined("privileged", options.privileged),
    ...defined("runAsUser", options.runAsUser),
    ...defined("runAsGroup", options.runAsGroup),
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * The same object with its keys in the given order (keys not listed follow in their own order). For values a
 * chart release first rendered in another order: re-rendering them in the helper's order would change the
 * release's values text, and so the plan, without changing a setting.
 */
export function withKeyOrder<T extends object>(value: T, order: readonly (keyof T)[]): T {
  const out: Partial<T> = {};
  for (const key of order) if (key in value) out[key] = value[key];
  return Object.assign(out, value);
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
