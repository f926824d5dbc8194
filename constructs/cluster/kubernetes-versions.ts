import { invalidProp, isUnresolved } from "./validation";

/**
 * Kubernetes minor versions the kit accepts for new EKS clusters, as of 2026-11-26 (EKS release calendar):
 * - 1.32: extended support until 2027-03-23 (extra hourly cost)
 * - 1.33: extended support until 2027-07-29 (extra hourly cost)
 * - 1.34: standard support until 2026-12-02, then extended until 2027-12-02
 * - 1.35: standard support until 2027-03-27
 * - 1.36: released on EKS 2026-06-02, standard support until 2027-08-02
 * 1.31 is left out: its extended support ends 2026-11-26, after which EKS force-upgrades the control plane.
 * Add a version here when EKS releases it; drop one when its extended support ends.
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35", "1.36"] as const;

export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];

/**
 * 1.35 rather than 1.34: 1.34 leaves standard support on 2026-12-02 and would start billing extended support
 * within a week of a new cluster's creation.
 */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = "1.35";

export function validateKubernetesVersion(prop: string, version: string): void {
  if (isUnresolved(version)) return;
  if (!(SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(version)) {
    throw invalidProp(
      prop,
      version,
      `a Kubernetes minor version EKS supports: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
    );
  }
}
