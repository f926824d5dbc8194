import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Ec2Tag } from "@cdktf/provider-aws/lib/ec2-tag";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { mergeTags, type Tags } from "../core/tags";
import { subnetLayout } from "./cidr";
import { type NetworkProps, validateNetworkProps } from "./network-props";
import { DEFAULT_INTERFACE_ENDPOINTS, VpcEndpoints } from "./vpc-endpoints";
import { VpcFlowLog } from "./vpc-flow-log";

export type { NatGatewayStrategy, NetworkProps } from "./network-props";

const DEFAULT_CIDR = "10.0.0.0/16";
const DEFAULT_AZ_COUNT = 3;

/**
 * The platform VPC: public and private subnets per AZ tagged for EKS load balancers, NAT per AZ (or one, or
 * none), an S3 gateway endpoint and interface endpoints for private nodes, flow logs to an encrypted log group
 * and a default security group without rules. With `createVpc: false` it wraps an existing VPC instead.
 */
export class Network extends Construct {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly privateSubnetIds: string[];
  readonly publicSubnetIds: string[];
  /** AZ per private subnet, in the same order (tokens when read from `aws_availability_zones`). */
  readonly availabilityZones: string[];
  readonly privateRouteTableIds: string[];
  /** Security group of the interface endpoints; undefined when none are created or in bring-your-own mode. */
  readonly endpointSecurityGroupId?: string;
  /** Undefined in bring-your-own mode. */
  readonly vpc?: Vpc;
  readonly flowLog?: VpcFlowLog;
  readonly endpoints?: VpcEndpoints;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    validateNetworkProps(props);

    if (props.createVpc === false) {
      this.vpcId = props.vpcId as string;
      this.vpcCidr = props.vpcCidr as string;
      this.privateSubnetIds = [...(props.privateSubnetIds ?? [])];
      this.publicSubnetIds = [...(props.publicSubnetIds ?? [])];
      this.availabilityZones = [...(props.availabilityZones ?? [])];
      this.privateRouteTableIds = [...(props.privateRouteTableIds ?? [])];
      this.privateSubnetIds.forEach((subnetId, i) => {
        for (const [key, value] of Object.entries(props.privateSubnetDiscoveryTags ?? {})) {
          const keyId = key.replace(/[^A-Za-z0-9_-]/g, "-");
          new Ec2Tag(this, `PrivateSubnet${i}Tag-${keyId}`, { resourceId: subnetId, key, value });
        }
      });
      return;
    }

    const name = props.name ?? "mlops";
    const cidr = props.cidr ?? DEFAULT_CIDR;
    const azCount = props.availabilityZones?.length ?? props.azCount ?? DEFAULT_AZ_COUNT;
    const strategy = props.natGatewayStrategy ?? "one-per-az";
    const createPublic = props.createPublicSubnets ?? true;
    const layout = subnetLayout(cidr, azCount);
    const tags = (...layers: (Tags | undefined)[]) => mergeTags(props.tags, ...layers);
    const clusterTag: Tags = props.clusterName
      ? { [`kubernetes.io/cluster/${props.clusterName}`]: "shared" }
      : {};

    const vpc = new Vpc(this, "Resource", {
      cidrBlock: cidr,
      enableDnsSupport: true, // both required for private DNS on interface endpoints
      enableDnsHostnames: true,
      tags: tags({ Name: name }, props.vpcTags),
    });
    this.vpc = vpc;
    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;

    // Adopting the default SG with no rule blocks removes AWS's allow-all rules; nothing should use it.
    new DefaultSecurityGroup(this, "DefaultSecurityGroup", {
      vpcId: vpc.id,
      ingress: [],
      egress: [],
      tags: tags({ Name: `${name}-default-deny` }),
    });

    this.availabilityZones = props.availabilityZones
      ? [...props.availabilityZones]
      : this.lookUpAvailabilityZones(azCount);
    const indexes = Array.from({ length: azCount }, (_, i) => i);

    const privateSubnets = indexes.map(
      (i) =>
        new Subnet(this, `PrivateSubnet${i}`, {
          vpcId: vpc.id,
          cidrBlock: layout.privateSubnetCidrs[i],
          availabilityZone: this.availabilityZones[i],
          tags: tags(
            { Name: `${name}-private-${this.availabilityZones[i]}`, "kubernetes.io/role/internal-elb": "1" },
            clusterTag,
            props.privateSubnetTags,
            props.privateSubnetDiscoveryTags,
          ),
        }),
    );
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    const publicSubnets = createPublic
      ? indexes.map(
          (i) =>
            new Subnet(this, `PublicSubnet${i}`, {
              vpcId: vpc.id,
              cidrBlock: layout.publicSubnetCidrs[i],
              availabilityZone: this.availabilityZones[i],
              // Load balancers and NAT gateways get their own addresses; instances here stay private.
              mapPublicIpOnLaunch: false,
              tags: tags(
                { Name: `${name}-public-${this.availabilityZones[i]}`, "kubernetes.io/role/elb": "1" },
                clusterTag,
                props.publicSubnetTags,
              ),
            }),
        )
      : [];
    this.publicSubnetIds = publicSubnets.map((s) => s.id);

    let igw: InternetGateway | undefined;
    if (createPublic) {
      igw = new InternetGateway(this, "InternetGateway", { vpcId: vpc.id, tags: tags({ Name: name }) });
      const publicRouteTable = new RouteTable(this, "PublicRouteTable", {
        vpcId: vpc.id,
        tags: tags({ Name: `${name}-public` }),
      });
      new Route(this, "PublicInternetRoute", {
        routeTableId: publicRouteTable.id,
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: igw.id,
      });
      publicSubnets.forEach((subnet, i) => {
        new RouteTableAssociation(this, `PublicRouteTableAssociation${i}`, {
          subnetId: subnet.id,
          routeTableId: publicRouteTable.id,
        });
      });
    }

    const natCount = strategy === "one-per-az" ? azCount : strategy === "single" ? 1 : 0;
    const natGateways = Array.from({ length: natCount }, (_, i) => {
      // Both need the internet gateway attached first (AWS provider docs recommend the explicit dependency).
      const dependsOn = igw ? [igw] : undefined;
      const eip = new Eip(this, `NatEip${i}`, {
        domain: "vpc",
        tags: tags({ Name: `${name}-nat-${i}` }),
        dependsOn,
      });
      return new NatGateway(this, `NatGateway${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        connectivityType: "public",
        tags: tags({ Name: `${name}-nat-${this.availabilityZones[i]}` }),
        dependsOn,
      });
    });

    // One route table per private subnet so each AZ can egress through its own NAT gateway.
    const privateRouteTables = privateSubnets.map((subnet, i) => {
      const table = new RouteTable(this, `PrivateRouteTable${i}`, {
        vpcId: vpc.id,
        tags: tags({ Name: `${name}-private-${this.availabilityZones[i]}` }),
      });
      new RouteTableAssociation(this, `PrivateRouteTableAssociation${i}`, {
        subnetId: subnet.id,
        routeTableId: table.id,
      });
      if (natGateways.length > 0) {
        new Route(this, `PrivateNatRoute${i}`, {
          routeTableId: table.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: natGateways[Math.min(i, natGateways.length - 1)].id,
        });
      }
      return table;
    });
    this.privateRouteTableIds = privateRouteTables.map((t) => t.id);

    const interfaceEndpoints = props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS;
    if ((props.createS3GatewayEndpoint ?? true) || interfaceEndpoints.length > 0) {
      this.endpoints = new VpcEndpoints(this, "Endpoints", {
        vpcId: vpc.id,
        vpcCidr: cidr,
        subnetIds: this.privateSubnetIds,
        routeTableIds: this.privateRouteTableIds,
        interfaceEndpoints,
        createS3GatewayEndpoint: props.createS3GatewayEndpoint,
        name,
        tags: props.tags,
      });
      this.endpointSecurityGroupId = this.endpoints.securityGroupId;
    }

    if (props.createFlowLog ?? true) {
      this.flowLog = new VpcFlowLog(this, "FlowLog", {
        vpcId: vpc.id,
        name,
        retentionInDays: props.flowLogRetentionInDays,
        kmsKeyArn: props.kmsKeyArn,
        preventDestroy: props.preventDestroy,
        tags: props.tags,
      });
    }
  }

  /** The first `count` AZs of the region that need no opt-in; `slice` fails the plan if the region has fewer. */
  private lookUpAvailabilityZones(count: number): string[] {
    const zones = new DataAwsAvailabilityZones(this, "AvailabilityZones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    const sliced = Fn.slice(zones.names, 0, count);
    return Array.from({ length: count }, (_, i) => Token.asString(Fn.element(sliced, i)));
  }
}
