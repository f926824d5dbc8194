import { gpuIncompatibility, isInstanceType, isNvidiaGpuInstanceType } from "../core/instance-types";
import {
  type AmiType,
  amiArchitecture,
  instanceArchitecture,
  NVIDIA_AMI_TYPES,
  STANDARD_AMI_TYPES,
} from "./ami-types";
import { CAPACITY_TYPES, type NodeTaint, TAINT_EFFECTS } from "./node-pool-options";
import { invalidProp, isUnresolved, requireIntegerInRange, requireOneOf } from "./validation";

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

/** Throws on the first invalid setting; `p` names props as `nodePools.<name>.<prop>`. */
export function validatePoolSettings(s: ResolvedPoolSettings): void {
  const p = (prop: string) => `nodePools.${s.poolName}.${prop}`;
  if (!isUnresolved(s.poolName) && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,37}$/.test(s.poolName)) {
    throw invalidProp("nodePools key", s.poolName, "1-38 letters, digits, '-' or '_', starting alphanumeric");
  }
  if (s.instanceTypes.length === 0) throw invalidProp(p("instanceTypes"), [], "at least one instance type");
  const allowedAmis: readonly string[] = s.gpu ? NVIDIA_AMI_TYPES : STANDARD_AMI_TYPES;
  if (!allowedAmis.includes(s.amiType)) {
    const hint = s.gpu ? "(GPU pools need an NVIDIA AMI)" : "(NVIDIA AMIs need gpu: true)";
    throw invalidProp(p("amiType"), s.amiType, `one of ${allowedAmis.join(", ")} ${hint}`);
  }
  for (const type of s.instanceTypes) {
    if (isUnresolved(type)) continue;
    if (!isInstanceType(type)) {
      throw invalidProp(p("instanceTypes"), type, 'an EC2 instance type such as "m7i.xlarge"');
    }
    const whyNotGpu = s.gpu ? gpuIncompatibility(type) : undefined;
    if (whyNotGpu) {
      throw invalidProp(
        p("instanceTypes"),
        type,
        `an NVIDIA GPU instance type for a GPU pool (${type} ${whyNotGpu}; see NVIDIA_GPU_FAMILIES)`,
      );
    }
    if (!s.gpu && isNvidiaGpuInstanceType(type)) {
      throw invalidProp(p("instanceTypes"), type, "a non-GPU instance type, or set gpu: true for this pool");
    }
    if (instanceArchitecture(type) !== amiArchitecture(s.amiType)) {
      throw invalidProp(
        p("instanceTypes"),
        type,
        `an ${amiArchitecture(s.amiType)} instance type to match amiType ${s.amiType}`,
      );
    }
  }
  requireOneOf(p("capacityType"), s.capacityType, CAPACITY_TYPES);
  requireIntegerInRange(p("minSize"), s.minSize, 0, 1000);
  requireIntegerInRange(p("maxSize"), s.maxSize, 1, 1000);
  requireIntegerInRange(p("desiredSize"), s.desiredSize, 0, 1000);
  if (s.minSize > s.maxSize) {
    throw invalidProp(p("minSize"), s.minSize, `at most maxSize (${s.maxSize})`);
  }
  if (s.desiredSize < s.minSize || s.desiredSize > s.maxSize) {
    throw invalidProp(
      p("desiredSize"),
      s.desiredSize,
      `between minSize (${s.minSize}) and maxSize (${s.maxSize})`,
    );
  }
  requireIntegerInRange(p("diskSizeGiB"), s.diskSizeGiB, 20, 16384);
  if (s.hopLimit !== 1 && s.hopLimit !== 2) {
    throw invalidProp(p("httpPutResponseHopLimit"), s.hopLimit, "1 (default) or 2");
  }
  requireIntegerInRange(p("maxUnavailablePercentage"), s.maxUnavailablePercentage, 1, 100);
  for (const [key, value] of Object.entries(s.labels)) {
    if (isUnresolved(key) || isUnresolved(value)) continue;
    if (!isQualifiedName(key)) throw invalidProp(p("labels"), key, "a Kubernetes label key ([prefix/]name)");
    if (!isLabelValue(value)) {
      throw invalidProp(
        p(`labels.${key}`),
        value,
        "a label value of at most 63 letters, digits, '-', '_' or '.'",
      );
    }
  }
  for (const taint of s.taints) {
    if (isUnresolved(taint.key)) continue;
    if (!isQualifiedName(taint.key)) {
      throw invalidProp(p("taints[].key"), taint.key, "a Kubernetes taint key ([prefix/]name)");
    }
    if (taint.value !== undefined && !isUnresolved(taint.value) && !isLabelValue(taint.value)) {
      throw invalidProp(
        p(`taints[${taint.key}].value`),
        taint.value,
        "at most 63 letters, digits, '-', '_' or '.'",
      );
    }
    requireOneOf(p(`taints[${taint.key}].effect`), taint.effect, TAINT_EFFECTS);
  }
}
