import {
  gpuIncompatibility,
  isArmInstanceType,
  isInstanceType,
  isNvidiaGpuInstanceType,
} from "../core/instance-types";
import { formatPath } from "../primitives";
import {
  type AmiType,
  amiArchitecture,
  instanceArchitecture,
  NVIDIA_AMI_TYPES,
  STANDARD_AMI_TYPES,
} from "./ami-types";
import { CAPACITY_TYPES, NODE_POOL_LIMITS, type NodeTaint, TAINT_EFFECTS } from "./node-pool-options";
import { invalidProp, isUnresolved } from "./validation";

/**
 * The node pool rules, in one place: the platform configuration's schema reports every problem with its config
 * path (`nodePools.<name>.…`), and the NodePool construct throws the first with the same path, so a pool built
 * from code and one built from a config file are held to the same rules.
 */

export interface ResolvedPoolSettings {
  readonly poolName: string;
  readonly gpu: boolean;
  readonly instanceTypes: readonly string[];
  readonly amiType: AmiType;
  readonly capacityType: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGiB: number;
  readonly hopLimit: number;
  readonly maxUnavailablePercentage: number;
  readonly taints: readonly NodeTaint[];
  readonly labels: Readonly<Record<string, string>>;
}

/** One broken rule: where in the pool's settings, the value found and what was expected. */
export interface NodePoolProblem {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  readonly expected: string;
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes qualified name: optional DNS-subdomain prefix and `/`, then a name of up to 63 characters. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name !== undefined && NAME_PART.test(name);
}

/** Label values (and taint values): empty, or up to 63 characters of the name alphabet. */
export function isLabelValue(value: string): boolean {
  return value === "" || NAME_PART.test(value);
}

/** Every rule a node pool's settings break, in the order a reader fixes them (skipping Terraform tokens). */
export function nodePoolProblems(s: ResolvedPoolSettings): NodePoolProblem[] {
  const out: NodePoolProblem[] = [];
  const add = (path: readonly (string | number)[], value: unknown, expected: string) =>
    out.push({ path, value, expected });
  const int = (prop: string, value: number, { min, max }: { readonly min: number; readonly max: number }) => {
    if (!isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max))
      add([prop], value, `an integer from ${min} to ${max}`);
  };

  if (s.instanceTypes.length === 0) add(["instanceTypes"], [], "at least one instance type");
  const allowedAmis: readonly string[] = s.gpu ? NVIDIA_AMI_TYPES : STANDARD_AMI_TYPES;
  if (!allowedAmis.includes(s.amiType)) {
    const hint = s.gpu ? "(GPU pools need an NVIDIA AMI)" : "(NVIDIA AMIs need gpu: true)";
    add(["amiType"], s.amiType, `one of ${allowedAmis.join(", ")} ${hint}`);
  }
  const known = s.instanceTypes.filter((t) => !isUnresolved(t) && isInstanceType(t));
  const arm = known.map(isArmInstanceType);
  const mixed = arm.some((a) => a) && arm.some((a) => !a);
  if (mixed) {
    add(
      ["instanceTypes"],
      s.instanceTypes,
      "instance types of one CPU architecture: these mix Arm (Graviton) and x86",
    );
  }
  s.instanceTypes.forEach((type, i) => {
    if (isUnresolved(type)) return;
    const expected = instanceTypeProblem(s, type, mixed);
    if (expected) add(["instanceTypes", i], type, expected);
  });
  if (!isUnresolved(s.capacityType) && !(CAPACITY_TYPES as readonly string[]).includes(s.capacityType)) {
    add(
      ["capacityType"],
      s.capacityType,
      `one of ${CAPACITY_TYPES.map((c) => JSON.stringify(c)).join(", ")}`,
    );
  }
  int("minSize", s.minSize, NODE_POOL_LIMITS.minSize);
  int("maxSize", s.maxSize, NODE_POOL_LIMITS.maxSize);
  int("desiredSize", s.desiredSize, NODE_POOL_LIMITS.desiredSize);
  if (s.minSize > s.maxSize) add(["minSize"], s.minSize, `at most maxSize (${s.maxSize})`);
  else if (s.desiredSize < s.minSize || s.desiredSize > s.maxSize) {
    add(["desiredSize"], s.desiredSize, `between minSize (${s.minSize}) and maxSize (${s.maxSize})`);
  }
  int("diskSizeGiB", s.diskSizeGiB, NODE_POOL_LIMITS.diskSizeGiB);
  if (s.hopLimit !== 1 && s.hopLimit !== 2) add(["httpPutResponseHopLimit"], s.hopLimit, "1 (default) or 2");
  int("maxUnavailablePercentage", s.maxUnavailablePercentage, NODE_POOL_LIMITS.maxUnavailablePercentage);
  for (const [key, value] of Object.entries(s.labels)) {
    if (isUnresolved(key) || isUnresolved(value)) continue;
    if (!isQualifiedName(key)) add(["labels"], key, "a Kubernetes label key ([prefix/]name)");
    else if (!isLabelValue(value)) {
      add(["labels", key], value, "a label value of at most 63 letters, digits, '-', '_' or '.'");
    }
  }
  s.taints.forEach((taint, i) => {
    if (isUnresolved(taint.key)) return;
    if (!isQualifiedName(taint.key))
      add(["taints", i, "key"], taint.key, "a Kubernetes taint key ([prefix/]name)");
    if (taint.value !== undefined && !isUnresolved(taint.value) && !isLabelValue(taint.value)) {
      add(["taints", i, "value"], taint.value, "at most 63 letters, digits, '-', '_' or '.'");
    }
    if (!isUnresolved(taint.effect) && !(TAINT_EFFECTS as readonly string[]).includes(taint.effect)) {
      add(
        ["taints", i, "effect"],
        taint.effect,
        `one of ${TAINT_EFFECTS.map((e) => JSON.stringify(e)).join(", ")}`,
      );
    }
  });
  return out;
}

/** What one instance type should have been, or undefined when it fits the pool. */
function instanceTypeProblem(
  s: ResolvedPoolSettings,
  type: string,
  mixedArchitectures: boolean,
): string | undefined {
  if (!isInstanceType(type)) return 'an EC2 instance type such as "m7i.xlarge"';
  const whyNotGpu = s.gpu ? gpuIncompatibility(type) : undefined;
  if (whyNotGpu)
    return `an NVIDIA GPU instance type for a GPU pool (${type} ${whyNotGpu}; see NVIDIA_GPU_FAMILIES)`;
  if (!s.gpu && isNvidiaGpuInstanceType(type))
    return "a non-GPU instance type, or set gpu: true for this pool";
  if (!mixedArchitectures && instanceArchitecture(type) !== amiArchitecture(s.amiType)) {
    return `an ${amiArchitecture(s.amiType)} instance type to match amiType ${s.amiType}`;
  }
  return undefined;
}

/** Throws on the first broken rule, naming it `nodePools.<name>.<prop>` (the config path and EksCluster's prop). */
export function validatePoolSettings(s: ResolvedPoolSettings): void {
  if (!isUnresolved(s.poolName) && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,37}$/.test(s.poolName)) {
    throw invalidProp("nodePools key", s.poolName, "1-38 letters, digits, '-' or '_', starting alphanumeric");
  }
  const [first] = nodePoolProblems(s);
  if (first)
    throw invalidProp(formatPath(["nodePools", s.poolName, ...first.path]), first.value, first.expected);
}
