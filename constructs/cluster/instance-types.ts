import { invalidProp, isUnresolved } from "./validation";

/**
 * NVIDIA GPU instance families EKS managed node groups can run with the EKS-optimized NVIDIA AMIs.
 * One list for the constructs and the platform config schema; AMD (g4ad) and Habana/Inferentia/Trainium
 * families are not NVIDIA and are left out on purpose.
 */
export const GPU_INSTANCE_FAMILIES = [
  "g4dn",
  "g5",
  "g5g",
  "g6",
  "g6e",
  "g6f",
  "gr6",
  "gr6f",
  "p4d",
  "p4de",
  "p5",
  "p5e",
  "p5en",
  "p6-b200",
  "p6-b300",
  "p6e-gb200",
] as const;

export type GpuInstanceFamily = (typeof GPU_INSTANCE_FAMILIES)[number];

/** AMI types a managed node group may use (AL2 is past end of support; Windows and CUSTOM are not offered). */
export const STANDARD_AMI_TYPES = [
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_STANDARD",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64",
] as const;

export const NVIDIA_AMI_TYPES = [
  "AL2023_x86_64_NVIDIA",
  "AL2023_ARM_64_NVIDIA",
  "BOTTLEROCKET_x86_64_NVIDIA",
  "BOTTLEROCKET_ARM_64_NVIDIA",
] as const;

export type StandardAmiType = (typeof STANDARD_AMI_TYPES)[number];
export type NvidiaAmiType = (typeof NVIDIA_AMI_TYPES)[number];
export type AmiType = StandardAmiType | NvidiaAmiType;

export type CpuArchitecture = "x86_64" | "arm64";

/** `g5.xlarge` → `g5`; `p6-b200.48xlarge` → `p6-b200`. */
export function instanceFamily(instanceType: string): string {
  return instanceType.split(".")[0] ?? instanceType;
}

export function isGpuInstanceType(instanceType: string): boolean {
  return (GPU_INSTANCE_FAMILIES as readonly string[]).includes(instanceFamily(instanceType));
}

/**
 * CPU architecture from the family name: Graviton families carry a `g` after the generation digit
 * (m7g, c7gn, g5g, im4gn); `a1` and Grace (`-gb200`) are the exceptions to the rule.
 */
export function instanceArchitecture(instanceType: string): CpuArchitecture {
  const family = instanceFamily(instanceType);
  if (family === "a1" || /-gb\d+/.test(family)) return "arm64";
  const base = family.split("-")[0] ?? family;
  const match = /^[a-z]+\d+([a-z]*)$/.exec(base);
  return match?.[1]?.includes("g") ? "arm64" : "x86_64";
}

export function amiArchitecture(amiType: AmiType): CpuArchitecture {
  return amiType.includes("ARM_64") ? "arm64" : "x86_64";
}

export function isBottlerocket(amiType: AmiType): boolean {
  return amiType.startsWith("BOTTLEROCKET");
}

/** Instance type shape check (`family.size`), skipping tokens. */
export function validateInstanceTypeShape(prop: string, instanceType: string): void {
  if (isUnresolved(instanceType)) return;
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(instanceType)) {
    throw invalidProp(prop, instanceType, 'an EC2 instance type such as "m7i.xlarge"');
  }
}
