import { describe, expect, it } from "vitest";
import { cidrSubnet, formatCidr, parseCidr, subnetLayout } from "../../../constructs/network/cidr";

/** Whether two CIDR blocks share an address (reference: plain integer ranges). */
function overlaps(a: string, b: string): boolean {
  const range = (cidr: string) => {
    const [ip, bits] = cidr.split("/");
    const start = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    return [start, start + 2 ** (32 - Number(bits)) - 1];
  };
  const [aStart, aEnd] = range(a);
  const [bStart, bEnd] = range(b);
  return aStart <= bEnd && bStart <= aEnd;
}

describe("cidr", () => {
  it("parses and formats a network address", () => {
    expect(parseCidr("10.0.0.0/16")).toEqual({ address: 10 * 2 ** 24, prefix: 16 });
    expect(formatCidr(parseCidr("172.16.32.0/20").address, 20)).toBe("172.16.32.0/20");
  });

  it("matches Terraform cidrsubnet examples", () => {
    // From the Terraform docs: cidrsubnet("172.16.0.0/12", 4, 2) = "172.18.0.0/16"
    expect(cidrSubnet("172.16.0.0/12", 4, 2)).toBe("172.18.0.0/16");
    // cidrsubnet("10.1.2.0/24", 4, 15) = "10.1.2.240/28"
    expect(cidrSubnet("10.1.2.0/24", 4, 15)).toBe("10.1.2.240/28");
  });

  it("lays out /20 private and /24 public subnets in a /16", () => {
    const layout = subnetLayout("10.0.0.0/16", 3);
    expect(layout.privateSubnetCidrs).toEqual(["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]);
    expect(layout.publicSubnetCidrs).toEqual(["10.0.240.0/24", "10.0.241.0/24", "10.0.242.0/24"]);
  });

  it("keeps every subnet inside the VPC and disjoint for 6 AZs of a /20", () => {
    const layout = subnetLayout("192.168.16.0/20", 6);
    const all = [...layout.privateSubnetCidrs, ...layout.publicSubnetCidrs];
    expect(layout.privateSubnetCidrs[0]).toBe("192.168.16.0/24");
    expect(layout.publicSubnetCidrs[5]).toBe("192.168.31.80/28");
    for (const subnet of all) expect(overlaps(subnet, "192.168.16.0/20")).toBe(true);
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++)
        expect(overlaps(all[i], all[j]), `${all[i]} vs ${all[j]}`).toBe(false);
    }
  });

  it("fails when the CIDR is malformed", () => {
    expect(() => parseCidr("10.0.0/16", "cidr")).toThrow(/cidr "10\.0\.0\/16" is malformed/);
    expect(() => parseCidr("10.0.0.256/16")).toThrow(/octets must be 0-255/);
  });

  it("fails when host bits are set", () => {
    expect(() => parseCidr("10.0.1.0/16", "cidr")).toThrow(/host bits set.*"10\.0\.0\.0\/16"/);
  });

  it("fails when the VPC prefix is outside /16 to /20", () => {
    expect(() => subnetLayout("10.0.0.0/8", 3)).toThrow(/prefix \/8: expected \/16 to \/20/);
    expect(() => subnetLayout("10.0.0.0/24", 3)).toThrow(/prefix \/24/);
  });
});
