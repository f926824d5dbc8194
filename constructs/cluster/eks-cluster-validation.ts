import { ARN, LOG_RETENTION_DAYS } from "../primitives";
import type { EksClusterProps } from "./eks-cluster";
import { validateKubernetesVersion } from "./kubernetes-versions";
import { invalidProp, isUnresolved, requireOneOf } from "./validation";

export { LOG_RETENTION_DAYS } from "../primitives";

const OPEN_TO_INTERNET = new Set(["0.0.0.0/0", "::/0", "::0/0"]);
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

export function validateEksClusterProps(props: EksClusterProps): void {
  const name = props.clusterName;
  if (!isUnresolved(name) && !/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(name)) {
    throw invalidProp("clusterName", name, "1-100 letters, digits, '-' or '_', starting alphanumeric");
  }
  if (props.kubernetesVersion !== undefined)
    validateKubernetesVersion("kubernetesVersion", props.kubernetesVersion);

  const subnets = props.subnetIds;
  if (!isUnresolved(subnets)) {
    if (subnets.length < 2) {
      throw invalidProp("subnetIds", subnets, "at least 2 private subnets in different availability zones");
    }
    if (new Set(subnets).size !== subnets.length)
      throw invalidProp("subnetIds", subnets, "distinct subnet IDs");
  }

  const publicAccess = props.endpointPublicAccess ?? false;
  const cidrs = props.publicAccessCidrs;
  if (publicAccess) {
    if (!cidrs || (!isUnresolved(cidrs) && cidrs.length === 0)) {
      throw invalidProp(
        "publicAccessCidrs",
        cidrs ?? [],
        "a non-empty list of CIDRs allowed to reach the public endpoint when endpointPublicAccess is true",
      );
    }
    if (!isUnresolved(cidrs)) {
      for (const cidr of cidrs) {
        if (isUnresolved(cidr)) continue;
        if (OPEN_TO_INTERNET.has(cidr)) {
          throw invalidProp(
            "publicAccessCidrs",
            cidr,
            "specific CIDRs (office, VPN, CI egress): opening the API server to the whole internet is refused",
          );
        }
        if (!IPV4_CIDR.test(cidr) && !IPV6_CIDR.test(cidr)) {
          throw invalidProp("publicAccessCidrs", cidr, 'a CIDR block such as "203.0.113.0/24"');
        }
      }
    }
  } else if (cidrs && (isUnresolved(cidrs) || cidrs.length > 0)) {
    throw invalidProp("publicAccessCidrs", cidrs, "unset unless endpointPublicAccess is true");
  }

  if (props.logRetentionInDays !== undefined) {
    requireOneOf("logRetentionInDays", props.logRetentionInDays, LOG_RETENTION_DAYS as readonly number[]);
  }

  const admins = props.adminPrincipalArns ?? [];
  if (!isUnresolved(admins)) {
    const seen = new Set<string>();
    for (const arn of admins) {
      if (isUnresolved(arn)) continue;
      if (arn.includes(":sts::")) {
        throw invalidProp(
          "adminPrincipalArns",
          arn,
          "an IAM role ARN (arn:…:iam::<account>:role/<name>), not an STS session",
        );
      }
      if (!ARN.iamPrincipal.test(arn)) {
        throw invalidProp("adminPrincipalArns", arn, "an IAM role or user ARN");
      }
      if (seen.has(arn)) throw invalidProp("adminPrincipalArns", arn, "each principal listed once");
      seen.add(arn);
    }
  }
  const svc = props.serviceIpv4Cidr;
  if (svc !== undefined && !isUnresolved(svc)) {
    const m = IPV4_CIDR.exec(svc);
    const prefix = Number(svc.split("/")[1]);
    const first = Number(svc.split(".")[0]);
    const second = Number(svc.split(".")[1]);
    const privateRange =
      first === 10 || (first === 172 && second >= 16 && second <= 31) || (first === 192 && second === 168);
    if (!m || prefix < 12 || prefix > 24 || !privateRange) {
      throw invalidProp(
        "serviceIpv4Cidr",
        svc,
        "a private IPv4 CIDR (10/8, 172.16/12, 192.168/16) from /12 to /24",
      );
    }
  }
  if (props.supportType !== undefined)
    requireOneOf("supportType", props.supportType, ["STANDARD", "EXTENDED"]);
}
