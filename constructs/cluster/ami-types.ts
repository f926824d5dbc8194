import { isArmInstanceType } from "../core/instance-types";

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

/** Every AMI type the kit offers: the configuration's `amiType` enum and the NodePool prop. */
export const AMI_TYPES = [...STANDARD_AMI_TYPES, ...NVIDIA_AMI_TYPES] as const;

export type StandardAmiType = (typeof STANDARD_AMI_TYPES)[number];
export type NvidiaAmiType = (typeof NVIDIA_AMI_TYPES)[number];
export type AmiType = StandardAmiType | NvidiaAmiType;

export type CpuArchitecture = "x86_64" | "arm64";

export function amiArchitecture(amiType: AmiType): CpuArchitecture {
  return amiType.includes("ARM_64") ? "arm64" : "x86_64";
}

export function instanceArchitecture(instanceType: string): CpuArchitecture {
  return isArmInstanceType(instanceType) ? "arm64" : "x86_64";
}

export function isBottlerocket(amiType: AmiType): boolean {
  return amiType.startsWith("BOTTLEROCKET");
}

/** AL2023 for the pool's architecture (from its first instance type), NVIDIA flavour for GPU pools. */
export function defaultAmiType(gpu: boolean, instanceTypes: readonly string[]): AmiType {
  const first = instanceTypes[0];
  const arm = first !== undefined && isArmInstanceType(first);
  if (gpu) return arm ? "AL2023_ARM_64_NVIDIA" : "AL2023_x86_64_NVIDIA";
  return arm ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}
