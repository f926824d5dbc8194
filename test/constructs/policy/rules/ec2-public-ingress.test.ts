import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { describe, expect, it } from "vitest";
import { ec2PublicIngress } from "../../../../constructs/policy";
import { check, paths } from "../harness";

describe("MLOPS-EC2-002 no public ingress", () => {
  it("flags inline, legacy-rule and VPC-rule ingress from 0.0.0.0/0 or ::/0", () => {
    const findings = check(ec2PublicIngress, (s) => {
      new SecurityGroup(s, "Inline", {
        ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }],
      });
      const g = new SecurityGroup(s, "Group", {});
      new SecurityGroupRule(s, "Legacy", {
        type: "ingress",
        securityGroupId: g.id,
        fromPort: 5432,
        toPort: 5432,
        protocol: "tcp",
        ipv6CidrBlocks: ["::/0"],
      });
      new VpcSecurityGroupIngressRule(s, "Vpc", {
        securityGroupId: g.id,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
      });
    });
    expect(paths(findings)).toEqual(["test/Inline", "test/Legacy", "test/Vpc"]);
    expect(findings.find((f) => f.path === "test/Vpc")?.detail).toContain("all ports");
  });

  it("accepts VPC-internal ingress and a documented load-balancer listener, but not other ports on it", () => {
    const findings = check(
      ec2PublicIngress,
      (s) => {
        const internal = new SecurityGroup(s, "Internal", {});
        new VpcSecurityGroupIngressRule(s, "FromVpc", {
          securityGroupId: internal.id,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: "10.0.0.0/16",
        });
        const lb = new SecurityGroup(s, "PublicAlb", {});
        new VpcSecurityGroupIngressRule(s, "Https", {
          securityGroupId: lb.id,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: "0.0.0.0/0",
        });
        new VpcSecurityGroupIngressRule(s, "Ssh", {
          securityGroupId: lb.id,
          ipProtocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrIpv4: "0.0.0.0/0",
        });
      },
      {
        publicIngress: [{ path: "test/PublicAlb", ports: [443], reason: "internet-facing ALB for the API" }],
      },
    );
    expect(paths(findings)).toEqual(["test/Ssh"]);
  });
});
