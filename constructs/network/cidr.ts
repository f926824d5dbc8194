/**
 * IPv4 CIDR arithmetic for the Network construct's subnet layout, done in TypeScript (not Terraform's
 * `cidrsubnet`) so the plan is readable in the synthesized JSON and testable without Terraform.
 */

/** Smallest and largest VPC prefix the layout supports: public subnets are prefix+8 and AWS allows /28 at most. */
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 20;
/** Private subnets take this many extra prefix bits (a /16 VPC gets /20 private subnets). */
export const PRIVATE_SUBNET_NEW_BITS = 4;
/** Public subnets take this many extra prefix bits (a /16 VPC gets /24 public subnets). */
export const PUBLIC_SUBNET_NEW_BITS = 8;

export interface ParsedCidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly address: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; throws naming `field` when malformed or when host bits are set. */
export function parseCidr(cidr: string, field = "cidr"): ParsedCidr {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) {
    throw new Error(`${field} "${cidr}" is malformed: expected an IPv4 CIDR block like "10.0.0.0/16"`);
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    throw new Error(`${field} "${cidr}" is malformed: octets must be 0-255 and the prefix 0-32`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const blockSize = 2 ** (32 - prefix);
  if (address % blockSize !== 0) {
    const network = formatCidr(address - (address % blockSize), prefix);
    throw new Error(`${field} "${cidr}" has host bits set: expected the network address, e.g. "${network}"`);
  }
  return { address, prefix };
}

export function formatCidr(address: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/** Same as Terraform's `cidrsubnet(prefix, newbits, netnum)`. */
export function cidrSubnet(cidr: string, newBits: number, netNum: number): string {
  const parent = parseCidr(cidr);
  const prefix = parent.prefix + newBits;
  if (prefix > 32) throw new Error(`cannot add ${newBits} bits to ${cidr}: the prefix would exceed /32`);
  if (netNum < 0 || netNum >= 2 ** newBits) {
    throw new Error(`network number ${netNum} does not fit in ${newBits} bits of ${cidr}`);
  }
  return formatCidr(parent.address + netNum * 2 ** (32 - prefix), prefix);
}

export interface SubnetLayout {
  readonly privateSubnetCidrs: string[];
  readonly publicSubnetCidrs: string[];
}

/**
 * The kit's subnet plan for a VPC block of prefix P (P between /16 and /20):
 * - private subnet i = the i-th block of prefix P+4 (a /16 gives 10.0.0.0/20, 10.0.16.0/20, ...), large
 *   enough for EKS pods that take VPC IPs;
 * - public subnet i = the i-th block of prefix P+8 inside the LAST P+4 block (10.0.240.0/24, 10.0.241.0/24,
 *   ...), small because only load balancers and NAT gateways live there.
 * Private subnets use slots 0..azCount-1 of 16, public ones slot 15, so they never overlap for azCount <= 15.
 */
export function subnetLayout(vpcCidr: string, azCount: number): SubnetLayout {
  const { prefix } = parseCidr(vpcCidr);
  if (prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
    throw new Error(
      `cidr "${vpcCidr}" has prefix /${prefix}: expected /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} ` +
        `(private subnets are /${prefix + PRIVATE_SUBNET_NEW_BITS}, public /${prefix + PUBLIC_SUBNET_NEW_BITS})`,
    );
  }
  const slots = 2 ** PRIVATE_SUBNET_NEW_BITS;
  const lastSlot = cidrSubnet(vpcCidr, PRIVATE_SUBNET_NEW_BITS, slots - 1);
  const indexes = Array.from({ length: azCount }, (_, i) => i);
  return {
    privateSubnetCidrs: indexes.map((i) => cidrSubnet(vpcCidr, PRIVATE_SUBNET_NEW_BITS, i)),
    publicSubnetCidrs: indexes.map((i) =>
      cidrSubnet(lastSlot, PUBLIC_SUBNET_NEW_BITS - PRIVATE_SUBNET_NEW_BITS, i),
    ),
  };
}
