import { describe, expect, it } from "vitest";
import { VpcEndpoints } from "../../../constructs/network/vpc-endpoints";
import { dataOf, onlyResource, resourcesOf, synthStack } from "../../support/synth";

describe("VpcEndpoints", () => {
  const json = synthStack((stack) => {
    new VpcEndpoints(stack, "Endpoints", {
      vpcId: "vpc-0abc",
      vpcCidr: "10.0.0.0/16",
      subnetIds: ["subnet-a", "subnet-b"],
      routeTableIds: ["rtb-a", "rtb-b"],
    });
  });
  const services = dataOf(json, "aws_vpc_endpoint_service");
  const endpoints = resourcesOf(json, "aws_vpc_endpoint");
  const sgKey = Object.keys(resourcesOf(json, "aws_security_group"))[0];

  it("resolves each service name through aws_vpc_endpoint_service", () => {
    const byService = Object.fromEntries(Object.entries(services).map(([k, v]) => [v.service, k]));
    expect(Object.keys(byService).sort()).toEqual(["ecr.api", "ecr.dkr", "logs", "s3", "sts"]);
    const names = Object.values(endpoints).map((e) => e.service_name);
    for (const key of Object.values(byService)) {
      expect(names).toContain(`\${data.aws_vpc_endpoint_service.${key}.service_name}`);
    }
  });

  it("attaches the S3 gateway endpoint to the route tables", () => {
    const gateway = Object.values(endpoints).filter((e) => e.vpc_endpoint_type === "Gateway");
    expect(gateway).toEqual([
      expect.objectContaining({ route_table_ids: ["rtb-a", "rtb-b"], vpc_id: "vpc-0abc" }),
    ]);
  });

  it("places interface endpoints in the subnets with private DNS behind the endpoint security group", () => {
    const iface = Object.values(endpoints).filter((e) => e.vpc_endpoint_type === "Interface");
    expect(iface).toHaveLength(4);
    for (const e of iface) {
      expect(e).toMatchObject({
        private_dns_enabled: true,
        subnet_ids: ["subnet-a", "subnet-b"],
        security_group_ids: [`\${aws_security_group.${sgKey}.id}`],
      });
    }
  });

  it("admits only HTTPS from the VPC CIDR", () => {
    const sg = onlyResource(json, "aws_security_group");
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      security_group_id: `\${aws_security_group.${sgKey}.id}`,
      ip_protocol: "tcp",
      from_port: 443,
      to_port: 443,
      cidr_ipv4: "10.0.0.0/16",
    });
    expect(Object.keys(resourcesOf(json, "aws_vpc_security_group_egress_rule"))).toHaveLength(0);
  });
});
