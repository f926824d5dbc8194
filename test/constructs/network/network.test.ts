import { describe, expect, it } from "vitest";
import { Network } from "../../../constructs/network/network";
import type { NetworkProps } from "../../../constructs/network/network-props";
import { dataOf, resourcesOf, type SynthJson, synthStack } from "../../support/synth";

function synthNetwork(props: NetworkProps = {}): { json: SynthJson; network: Network } {
  let network: Network | undefined;
  const json = synthStack((stack) => {
    network = new Network(stack, "Network", props);
  });
  return { json, network: network as Network };
}

const ref = (type: string, key: string, attr = "id") => `\${${type}.${key}.${attr}}`;
const keyOf = (json: SynthJson, type: string, prefix: string) =>
  Object.keys(resourcesOf(json, type)).filter((k) => k.startsWith(prefix));
const tagsOf = (r: Record<string, unknown>) => r.tags as Record<string, string>;

describe("Network", () => {
  describe("defaults", () => {
    const { json, network } = synthNetwork({ clusterName: "ml-platform" });
    const subnets = resourcesOf(json, "aws_subnet");
    const privateKeys = keyOf(json, "aws_subnet", "Network_PrivateSubnet");
    const publicKeys = keyOf(json, "aws_subnet", "Network_PublicSubnet");

    it("creates a /16 VPC with DNS support and hostnames", () => {
      const vpc = Object.values(resourcesOf(json, "aws_vpc"));
      expect(vpc).toHaveLength(1);
      expect(vpc[0]).toMatchObject({
        cidr_block: "10.0.0.0/16",
        enable_dns_support: true,
        enable_dns_hostnames: true,
      });
    });

    it("spreads 3 private /20 and 3 public /24 subnets over the first 3 opt-in-free AZs", () => {
      expect(privateKeys).toHaveLength(3);
      expect(publicKeys).toHaveLength(3);
      expect(privateKeys.map((k) => subnets[k].cidr_block)).toEqual([
        "10.0.0.0/20",
        "10.0.16.0/20",
        "10.0.32.0/20",
      ]);
      expect(publicKeys.map((k) => subnets[k].cidr_block)).toEqual([
        "10.0.240.0/24",
        "10.0.241.0/24",
        "10.0.242.0/24",
      ]);
      const azData = Object.entries(dataOf(json, "aws_availability_zones"));
      expect(azData).toHaveLength(1);
      const [azKey, az] = azData[0];
      expect(az).toMatchObject({
        state: "available",
        filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      });
      privateKeys.forEach((k, i) => {
        expect(subnets[k].availability_zone).toBe(
          `\${element(slice(data.aws_availability_zones.${azKey}.names, 0, 3), ${i})}`,
        );
        expect(subnets[k].availability_zone).toBe(subnets[publicKeys[i]].availability_zone);
      });
      expect(network.availabilityZones).toHaveLength(3);
      expect(network.privateSubnetIds).toHaveLength(3);
      expect(network.publicSubnetIds).toHaveLength(3);
    });

    it("tags subnets for EKS load balancers and the cluster", () => {
      for (const k of privateKeys) {
        expect(tagsOf(subnets[k])["kubernetes.io/role/internal-elb"]).toBe("1");
        expect(tagsOf(subnets[k])["kubernetes.io/role/elb"]).toBeUndefined();
        expect(tagsOf(subnets[k])["kubernetes.io/cluster/ml-platform"]).toBe("shared");
      }
      for (const k of publicKeys) {
        expect(tagsOf(subnets[k])["kubernetes.io/role/elb"]).toBe("1");
        expect(tagsOf(subnets[k])["kubernetes.io/role/internal-elb"]).toBeUndefined();
        expect(tagsOf(subnets[k])["kubernetes.io/cluster/ml-platform"]).toBe("shared");
        expect(subnets[k].map_public_ip_on_launch).toBe(false);
      }
    });

    it("routes public subnets to the internet gateway", () => {
      const [igwKey] = Object.keys(resourcesOf(json, "aws_internet_gateway"));
      const publicTableKey = keyOf(json, "aws_route_table", "Network_PublicRouteTable")[0];
      const routes = Object.values(resourcesOf(json, "aws_route"));
      expect(routes).toContainEqual(
        expect.objectContaining({
          route_table_id: ref("aws_route_table", publicTableKey),
          destination_cidr_block: "0.0.0.0/0",
          gateway_id: ref("aws_internet_gateway", igwKey),
        }),
      );
      const associations = Object.values(resourcesOf(json, "aws_route_table_association"));
      for (const k of publicKeys) {
        expect(associations).toContainEqual({
          subnet_id: ref("aws_subnet", k),
          route_table_id: ref("aws_route_table", publicTableKey),
        });
      }
    });

    it("puts one NAT gateway per AZ in the public subnets, each private route table using its own", () => {
      const nats = resourcesOf(json, "aws_nat_gateway");
      const natKeys = Object.keys(nats);
      expect(natKeys).toHaveLength(3);
      expect(Object.keys(resourcesOf(json, "aws_eip"))).toHaveLength(3);
      const [igwKey] = Object.keys(resourcesOf(json, "aws_internet_gateway"));
      natKeys.forEach((k, i) => {
        expect(nats[k].subnet_id).toBe(ref("aws_subnet", publicKeys[i]));
        expect(nats[k].depends_on).toEqual([`aws_internet_gateway.${igwKey}`]);
      });
      const privateTables = keyOf(json, "aws_route_table", "Network_PrivateRouteTable");
      expect(privateTables).toHaveLength(3);
      const routes = Object.values(resourcesOf(json, "aws_route"));
      privateTables.forEach((table, i) => {
        expect(routes).toContainEqual(
          expect.objectContaining({
            route_table_id: ref("aws_route_table", table),
            destination_cidr_block: "0.0.0.0/0",
            nat_gateway_id: ref("aws_nat_gateway", natKeys[i]),
          }),
        );
      });
      expect(network.privateRouteTableIds).toHaveLength(3);
    });

    it("locks down the default security group", () => {
      const sgs = Object.values(resourcesOf(json, "aws_default_security_group"));
      expect(sgs).toHaveLength(1);
      expect(sgs[0].ingress).toEqual([]);
      expect(sgs[0].egress).toEqual([]);
    });

    it("adds the S3 gateway endpoint and four interface endpoints with private DNS", () => {
      const endpoints = Object.values(resourcesOf(json, "aws_vpc_endpoint"));
      const gateway = endpoints.filter((e) => e.vpc_endpoint_type === "Gateway");
      expect(gateway).toHaveLength(1);
      const privateTables = keyOf(json, "aws_route_table", "Network_PrivateRouteTable");
      expect(gateway[0].route_table_ids).toEqual(privateTables.map((k) => ref("aws_route_table", k)));
      const services = Object.values(dataOf(json, "aws_vpc_endpoint_service"));
      const interfaceServices = services.filter((s) => s.service_type === "Interface").map((s) => s.service);
      expect(interfaceServices.sort()).toEqual(["ecr.api", "ecr.dkr", "logs", "sts"]);
      const iface = endpoints.filter((e) => e.vpc_endpoint_type === "Interface");
      expect(iface).toHaveLength(4);
      const [sgKey] = Object.keys(resourcesOf(json, "aws_security_group"));
      for (const endpoint of iface) {
        expect(endpoint.private_dns_enabled).toBe(true);
        expect(endpoint.subnet_ids).toEqual(privateKeys.map((k) => ref("aws_subnet", k)));
        expect(endpoint.security_group_ids).toEqual([ref("aws_security_group", sgKey)]);
      }
      expect(network.endpointSecurityGroupId).toBeDefined();
    });

    it("enables flow logs with a created KMS key", () => {
      expect(Object.values(resourcesOf(json, "aws_flow_log"))).toHaveLength(1);
      expect(Object.values(resourcesOf(json, "aws_kms_key"))[0]).toMatchObject({
        enable_key_rotation: true,
        lifecycle: { prevent_destroy: true },
      });
    });
  });

  describe("NAT strategies", () => {
    it.each([
      ["single", 1, 3],
      ["one-per-az", 3, 3],
      ["none", 0, 0],
    ] as const)("%s creates %i NAT gateways and %i private default routes", (strategy, nats, natRoutes) => {
      const { json } = synthNetwork({ natGatewayStrategy: strategy });
      const natKeys = Object.keys(resourcesOf(json, "aws_nat_gateway"));
      expect(natKeys).toHaveLength(nats);
      expect(Object.keys(resourcesOf(json, "aws_eip"))).toHaveLength(nats);
      const privateRoutes = Object.values(resourcesOf(json, "aws_route")).filter((r) => r.nat_gateway_id);
      expect(privateRoutes).toHaveLength(natRoutes);
      // Private route tables exist either way (the S3 gateway endpoint needs them).
      expect(keyOf(json, "aws_route_table", "Network_PrivateRouteTable")).toHaveLength(3);
      if (strategy === "single") {
        for (const route of privateRoutes)
          expect(route.nat_gateway_id).toBe(ref("aws_nat_gateway", natKeys[0]));
      }
    });
  });

  it("uses explicit AZs, a custom CIDR and no cluster tag", () => {
    const { json, network } = synthNetwork({
      cidr: "172.20.0.0/18",
      availabilityZones: ["us-east-1a", "us-east-1c"],
      natGatewayStrategy: "single",
    });
    expect(Object.keys(dataOf(json, "aws_availability_zones"))).toHaveLength(0);
    const subnets = Object.values(resourcesOf(json, "aws_subnet"));
    expect(subnets).toHaveLength(4);
    expect(subnets.map((s) => [s.cidr_block, s.availability_zone])).toEqual(
      expect.arrayContaining([
        ["172.20.0.0/22", "us-east-1a"],
        ["172.20.4.0/22", "us-east-1c"],
        ["172.20.60.0/26", "us-east-1a"],
        ["172.20.60.64/26", "us-east-1c"],
      ]),
    );
    for (const s of subnets) {
      expect(Object.keys(tagsOf(s)).some((t) => t.startsWith("kubernetes.io/cluster/"))).toBe(false);
    }
    expect(network.availabilityZones).toEqual(["us-east-1a", "us-east-1c"]);
  });

  it("honours azCount, endpoint choices and merged tags", () => {
    const { json } = synthNetwork({
      azCount: 2,
      interfaceEndpoints: ["sts", "ec2", "eks-auth"],
      tags: { team: "ml", env: "dev" },
      privateSubnetTags: { env: "prod", "karpenter.sh/discovery": "ml" },
    });
    expect(Object.keys(resourcesOf(json, "aws_subnet"))).toHaveLength(4);
    const services = Object.values(dataOf(json, "aws_vpc_endpoint_service"))
      .filter((s) => s.service_type === "Interface")
      .map((s) => s.service);
    expect(services.sort()).toEqual(["ec2", "eks-auth", "sts"]);
    const privateSubnet = Object.entries(resourcesOf(json, "aws_subnet")).find(([k]) =>
      k.startsWith("Network_PrivateSubnet0"),
    )?.[1] as Record<string, unknown>;
    expect(tagsOf(privateSubnet)).toMatchObject({ team: "ml", env: "prod", "karpenter.sh/discovery": "ml" });
    expect(tagsOf(Object.values(resourcesOf(json, "aws_vpc"))[0])).toMatchObject({ team: "ml", env: "dev" });
  });

  it("skips interface endpoints and their security group when the list is empty", () => {
    const { json, network } = synthNetwork({ interfaceEndpoints: [] });
    const endpoints = Object.values(resourcesOf(json, "aws_vpc_endpoint"));
    expect(endpoints.map((e) => e.vpc_endpoint_type)).toEqual(["Gateway"]);
    expect(Object.keys(resourcesOf(json, "aws_security_group"))).toHaveLength(0);
    expect(network.endpointSecurityGroupId).toBeUndefined();
  });

  it("creates no endpoints at all when both kinds are switched off", () => {
    const { json, network } = synthNetwork({ createS3GatewayEndpoint: false, interfaceEndpoints: [] });
    expect(Object.keys(resourcesOf(json, "aws_vpc_endpoint"))).toHaveLength(0);
    expect(network.endpoints).toBeUndefined();
  });

  it("creates no public subnets, internet gateway or NAT when createPublicSubnets is false", () => {
    const { json, network } = synthNetwork({ createPublicSubnets: false, natGatewayStrategy: "none" });
    expect(keyOf(json, "aws_subnet", "Network_PublicSubnet")).toHaveLength(0);
    expect(Object.keys(resourcesOf(json, "aws_internet_gateway"))).toHaveLength(0);
    expect(Object.keys(resourcesOf(json, "aws_nat_gateway"))).toHaveLength(0);
    expect(network.publicSubnetIds).toEqual([]);
  });

  it("sends ALL traffic to a log group encrypted with the created key, with the configured retention", () => {
    const { json } = synthNetwork({ flowLogRetentionInDays: 90 });
    const [vpcKey] = Object.keys(resourcesOf(json, "aws_vpc"));
    const [keyKey] = Object.keys(resourcesOf(json, "aws_kms_key"));
    const [logGroupKey] = Object.keys(resourcesOf(json, "aws_cloudwatch_log_group"));
    expect(resourcesOf(json, "aws_cloudwatch_log_group")[logGroupKey]).toMatchObject({
      retention_in_days: 90,
      kms_key_id: ref("aws_kms_key", keyKey, "arn"),
    });
    expect(Object.values(resourcesOf(json, "aws_flow_log"))[0]).toMatchObject({
      vpc_id: ref("aws_vpc", vpcKey),
      traffic_type: "ALL",
      log_destination: ref("aws_cloudwatch_log_group", logGroupKey, "arn"),
    });
  });

  it("uses a bring-your-own flow-log key and can skip flow logs", () => {
    const arn = "arn:aws:kms:eu-west-1:123456789012:key/abc";
    const byo = synthNetwork({ kmsKeyArn: arn }).json;
    expect(Object.keys(resourcesOf(byo, "aws_kms_key"))).toHaveLength(0);
    expect(Object.values(resourcesOf(byo, "aws_cloudwatch_log_group"))[0].kms_key_id).toBe(arn);
    const none = synthNetwork({ createFlowLog: false }).json;
    expect(Object.keys(resourcesOf(none, "aws_flow_log"))).toHaveLength(0);
    expect(Object.keys(resourcesOf(none, "aws_kms_key"))).toHaveLength(0);
  });

  it("does not protect the flow-log key when preventDestroy is false", () => {
    const { json } = synthNetwork({ preventDestroy: false });
    expect(Object.values(resourcesOf(json, "aws_kms_key"))[0].lifecycle).toBeUndefined();
  });

  describe("bring your own VPC", () => {
    const props: NetworkProps = {
      createVpc: false,
      vpcId: "vpc-0abc123",
      vpcCidr: "10.50.0.0/16",
      privateSubnetIds: ["subnet-0a1", "subnet-0b2"],
      publicSubnetIds: ["subnet-0c3"],
      availabilityZones: ["eu-west-1a", "eu-west-1b"],
      privateRouteTableIds: ["rtb-1", "rtb-2"],
    };

    it("creates nothing and exposes the given ids", () => {
      const { json, network } = synthNetwork(props);
      const created = Object.keys(json.resource ?? {}).filter((type) => type !== "aws_provider");
      expect(created).toEqual([]);
      expect(network.vpc).toBeUndefined();
      expect(network.vpcId).toBe("vpc-0abc123");
      expect(network.vpcCidr).toBe("10.50.0.0/16");
      expect(network.privateSubnetIds).toEqual(["subnet-0a1", "subnet-0b2"]);
      expect(network.publicSubnetIds).toEqual(["subnet-0c3"]);
      expect(network.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b"]);
      expect(network.privateRouteTableIds).toEqual(["rtb-1", "rtb-2"]);
      expect(network.endpointSecurityGroupId).toBeUndefined();
    });

    it("fails when fewer than 2 private subnets are given", () => {
      expect(() => synthNetwork({ ...props, privateSubnetIds: ["subnet-0a1"] })).toThrow(
        /privateSubnetIds has 1 entries: expected at least 2/,
      );
    });

    it("fails when vpcId or vpcCidr is missing or malformed", () => {
      expect(() => synthNetwork({ ...props, vpcId: undefined })).toThrow(/vpcId is undefined/);
      expect(() => synthNetwork({ ...props, vpcId: "my-vpc" })).toThrow(/vpcId "my-vpc" is malformed/);
      expect(() => synthNetwork({ ...props, vpcCidr: "10.50.0.0" })).toThrow(
        /vpcCidr "10\.50\.0\.0" is malformed/,
      );
    });

    it("fails when bring-your-own ids are passed without createVpc false", () => {
      expect(() => synthNetwork({ vpcId: "vpc-0abc123" })).toThrow(
        /vpcId is only used with createVpc: false/,
      );
    });
  });
});
