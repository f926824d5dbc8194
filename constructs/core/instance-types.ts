/**
 * EC2 instance families the kit reasons about. One list, used by the configuration schema and by the node pool
 * construct, so a GPU pool cannot be declared with instances that have no GPU.
 */

/** Families with NVIDIA GPUs supported by the EKS NVIDIA AMIs. */
export const NVIDIA_GPU_FAMILIES = [
  "g4dn",
  "g5",
  "g6",
  "g6e",
  "g6f",
  "gr6",
  "gr6f",
  "g7e",
  "p3",
  "p3dn",
  "p4d",
  "p4de",
  "p5",
  "p5e",
  "p5en",
  "p6-b200",
  "p6-b300",
  "p6e-gb200",
] as const;

/** Families with GPUs the NVIDIA AMIs do not serve (AMD, Arm-based NVIDIA) — rejected for GPU pools with a reason. */
const UNSUPPORTED_GPU_FAMILIES: Readonly<Record<string, string>> = {
  g4ad: "has AMD GPUs; the kit's GPU pools use NVIDIA AMIs",
  g5g: "has Arm CPUs with NVIDIA T4G GPUs, which the EKS AL2023 NVIDIA AMI does not support",
};

/** `g5.2xlarge` → `g5`; `p6-b200.48xlarge` → `p6-b200`. */
export function instanceFamily(instanceType: string): string {
  const dot = instanceType.indexOf(".");
  return dot < 0 ? instanceType : instanceType.slice(0, dot);
}

export function isInstanceType(value: string): boolean {
  return /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(value);
}

export function isNvidiaGpuInstanceType(instanceType: string): boolean {
  return (NVIDIA_GPU_FAMILIES as readonly string[]).includes(instanceFamily(instanceType));
}

/** Why an instance type cannot back a GPU pool, or undefined when it can. */
export function gpuIncompatibility(instanceType: string): string | undefined {
  const family = instanceFamily(instanceType);
  if (isNvidiaGpuInstanceType(instanceType)) return undefined;
  return UNSUPPORTED_GPU_FAMILIES[family] ?? "has no NVIDIA GPU";
}

/**
 * Graviton (Arm64) instances: families whose name carries a `g` after the generation digit
 * (m7g, c8gd, r6gn, t4g, x2gd, im4gn, is4gen), except the x86 GPU families (g4dn, g5, …).
 */
export function isArmInstanceType(instanceType: string): boolean {
  const family = instanceFamily(instanceType);
  if (family === "g5g") return true;
  if (isNvidiaGpuInstanceType(instanceType) || family.startsWith("g") || family.startsWith("p")) return false;
  if (/^(im4gn|is4gen)$/.test(family)) return true;
  return /^[a-z]+\d+g[a-z]*$/.test(family);
}
