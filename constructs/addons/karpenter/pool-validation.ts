import { instanceArchitecture } from "../../cluster/ami-types";
import { NODE_POOL_LIMITS, TAINT_EFFECTS } from "../../cluster/node-pool-options";
import { isLabelValue, isQualifiedName, type NodePoolProblem } from "../../cluster/node-pool-validation";
import { invalidProp, isUnresolved } from "../../cluster/validation";
import {
  gpuIncompatibility,
  instanceFamily,
  isInstanceType,
  isNvidiaGpuInstanceType,
  NVIDIA_GPU_FAMILIES,
} from "../../core/instance-types";
import { formatPath } from "../../primitives";
import {
  ACCELERATED_CATEGORIES,
  GPU_CATEGORIES,
  KARPENTER_ARCHITECTURES,
  KARPENTER_CAPACITY_TYPES,
  KARPENTER_DURATION,
  type ResolvedKarpenterPool,
  WEIGHT_RANGE,
} from "./pool-options";

/**
 * The Karpenter pool rules, in one place: the configuration reports every problem at `nodePools.<name>.…`, and
 * the NodePool builder throws the first with the same path (as constructs/cluster/node-pool-validation.ts does
 * for managed node groups).
 */

const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;
const AMI_VERSION = /^(latest|v\d{8})$/;
const KARPENTER_DOMAINS = /^([^/]*\.)?(karpenter\.sh|karpenter\.k8s\.aws)\//;
const ACCELERATED_FAMILY = /^(inf|trn|dl)\d/;

const list = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(", ");

/** Every rule a Karpenter pool's settings break (Terraform tokens are skipped). */
export function karpenterPoolProblems(p: ResolvedKarpenterPool): NodePoolProblem[] {
  const out: NodePoolProblem[] = [];
  const add = (path: readonly (string | number)[], value: unknown, expected: string) =>
    out.push({ path, value, expected });

  instanceChoiceProblems(p, add);

  if (p.capacityTypes.length === 0)
    add(["capacityTypes"], [], `one or more of ${list(KARPENTER_CAPACITY_TYPES)}`);
  p.capacityTypes.forEach((c, i) => {
    if (!(KARPENTER_CAPACITY_TYPES as readonly string[]).includes(c))
      add(["capacityTypes", i], c, `one of ${list(KARPENTER_CAPACITY_TYPES)}`);
  });
  if (p.critical && p.capacityTypes.length > 0 && p.capacityTypes.every((c) => c === "spot")) {
    add(
      ["capacityTypes"],
      p.capacityTypes,
      '"on-demand" among the capacity types: the pool is marked critical and must not run on Spot alone',
    );
  }
  if (p.architectures.length === 0)
    add(["architectures"], [], `one or more of ${list(KARPENTER_ARCHITECTURES)}`);
  p.architectures.forEach((a, i) => {
    if (!(KARPENTER_ARCHITECTURES as readonly string[]).includes(a))
      add(["architectures", i], a, `one of ${list(KARPENTER_ARCHITECTURES)}`);
  });

  const cpu = p.limits.cpu;
  if (cpu === undefined) {
    add(
      ["limits", "cpu"],
      cpu,
      "a CPU limit: the most vCPUs this pool may run at once, so a runaway job cannot buy a fleet",
    );
  } else if (!isUnresolved(cpu) && !(Number(cpu) > 0)) {
    add(["limits", "cpu"], cpu, "a number of vCPUs above 0");
  }
  const gpus = p.limits["nvidia.com/gpu"];
  if (p.gpu && (gpus === undefined || !(gpus >= 1))) {
    add(
      ["limits", "nvidia.com/gpu"],
      gpus,
      "a GPU limit of at least 1 on a GPU pool: the most GPUs it may run at once (its spending cap)",
    );
  } else if (!p.gpu && gpus !== undefined) {
    add(["limits", "nvidia.com/gpu"], gpus, "no GPU limit on a pool without gpu: true");
  }

  for (const [prop, value] of [
    ["consolidateAfter", p.consolidateAfter],
    ["expireAfter", p.expireAfter],
  ] as const) {
    if (!KARPENTER_DURATION.test(value))
      add(["disruption", prop], value, 'a duration such as "30s", "5m", "720h", or "Never"');
  }
  p.budgets.forEach((b, i) => {
    if (!BUDGET_NODES.test(b.nodes))
      add(["disruption", "budgets", i, "nodes"], b.nodes, 'a node count ("1") or a percentage ("10%")');
    if ((b.schedule === undefined) !== (b.duration === undefined))
      add(["disruption", "budgets", i], b, "schedule and duration together, or neither");
  });
  if (!Number.isInteger(p.weight) || p.weight < WEIGHT_RANGE.min || p.weight > WEIGHT_RANGE.max)
    add(["weight"], p.weight, `an integer from ${WEIGHT_RANGE.min} to ${WEIGHT_RANGE.max}`);
  if (!AMI_VERSION.test(p.amiVersion))
    add(["amiVersion"], p.amiVersion, 'an EKS AMI release such as "v20251120", or "latest"');
  const disk = NODE_POOL_LIMITS.diskSizeGiB;
  if (!Number.isInteger(p.diskSizeGiB) || p.diskSizeGiB < disk.min || p.diskSizeGiB > disk.max)
    add(["diskSizeGiB"], p.diskSizeGiB, `an integer from ${disk.min} to ${disk.max}`);
  if (p.hopLimit !== 1 && p.hopLimit !== 2) add(["httpPutResponseHopLimit"], p.hopLimit, "1 (default) or 2");

  for (const [key, value] of Object.entries(p.labels)) {
    if (isUnresolved(key) || isUnresolved(value)) continue;
    if (!isQualifiedName(key)) add(["labels"], key, "a Kubernetes label key ([prefix/]name)");
    else if (KARPENTER_DOMAINS.test(key)) add(["labels"], key, "a label outside Karpenter's own domains");
    else if (!isLabelValue(value))
      add(["labels", key], value, "a label value of at most 63 letters, digits, '-', '_' or '.'");
  }
  p.taints.forEach((t, i) => {
    if (!isQualifiedName(t.key)) add(["taints", i, "key"], t.key, "a Kubernetes taint key ([prefix/]name)");
    if (t.value !== undefined && !isLabelValue(t.value))
      add(["taints", i, "value"], t.value, "at most 63 letters, digits, '-', '_' or '.'");
    if (!(TAINT_EFFECTS as readonly string[]).includes(t.effect))
      add(["taints", i, "effect"], t.effect, `one of ${list(TAINT_EFFECTS)}`);
  });
  return out;
}

/** Types, families and categories: GPU pools draw only NVIDIA GPU instances, CPU pools none with accelerators. */
function instanceChoiceProblems(
  p: ResolvedKarpenterPool,
  add: (path: readonly (string | number)[], value: unknown, expected: string) => void,
): void {
  p.instanceTypes.forEach((type, i) => {
    if (isUnresolved(type)) return;
    const expected = instanceTypeProblem(p, type);
    if (expected) add(["instanceTypes", i], type, expected);
  });
  p.instanceFamilies.forEach((family, i) => {
    const nvidia = (NVIDIA_GPU_FAMILIES as readonly string[]).includes(family);
    if (!/^[a-z][a-z0-9-]*$/.test(family))
      add(["instanceFamilies", i], family, 'an EC2 instance family such as "m7i" or "g6"');
    else if (p.gpu && !nvidia)
      add(["instanceFamilies", i], family, "an NVIDIA GPU family (see NVIDIA_GPU_FAMILIES) on a GPU pool");
    else if (!p.gpu && (nvidia || ACCELERATED_FAMILY.test(family)))
      add(["instanceFamilies", i], family, "a family without accelerators, or gpu: true for this pool");
  });
  p.instanceCategories.forEach((category, i) => {
    const accelerated = (ACCELERATED_CATEGORIES as readonly string[]).includes(category);
    if (!/^[a-z]+$/.test(category))
      add(["instanceCategories", i], category, 'an EC2 instance category such as "m"');
    else if (p.gpu && !(GPU_CATEGORIES as readonly string[]).includes(category))
      add(["instanceCategories", i], category, `one of ${list(GPU_CATEGORIES)} on a GPU pool`);
    else if (!p.gpu && accelerated)
      add(["instanceCategories", i], category, "a category without accelerators, or gpu: true for this pool");
  });
}

/** What one instance type should have been, or undefined when it fits the pool. */
function instanceTypeProblem(p: ResolvedKarpenterPool, type: string): string | undefined {
  if (!isInstanceType(type)) return 'an EC2 instance type such as "m7i.xlarge"';
  const whyNotGpu = p.gpu ? gpuIncompatibility(type) : undefined;
  if (whyNotGpu)
    return `an NVIDIA GPU instance type for a GPU pool (${type} ${whyNotGpu}; see NVIDIA_GPU_FAMILIES)`;
  if (!p.gpu && (isNvidiaGpuInstanceType(type) || ACCELERATED_FAMILY.test(instanceFamily(type))))
    return "a type without accelerators, or gpu: true for this pool";
  const arch = instanceArchitecture(type) === "arm64" ? "arm64" : "amd64";
  if (!p.architectures.includes(arch))
    return `an instance type of the pool's architectures (${p.architectures.join(", ")})`;
  return undefined;
}

/** Throws on the first broken rule, naming it `nodePools.<name>.<prop>`. */
export function validateKarpenterPool(p: ResolvedKarpenterPool): void {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(p.poolName)) {
    throw invalidProp(
      "nodePools key",
      p.poolName,
      "a DNS label of at most 63 characters (the NodePool's name)",
    );
  }
  const [first] = karpenterPoolProblems(p);
  if (first)
    throw invalidProp(formatPath(["nodePools", p.poolName, ...first.path]), first.value, first.expected);
}
