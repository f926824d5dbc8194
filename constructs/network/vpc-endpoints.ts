import { DataAwsVpcEndpointService } from "@cdktf/provider-aws/lib/data-aws-vpc-endpoint-service";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { mergeTags, type Tags } from "../core/tags";

/** Interface endpoints the kit knows how to create; keys are the AWS short service names. */
export const INTERFACE_ENDPOINT_IDS = {
  "ecr.api": "EcrApi",
  "ecr.dkr": "EcrDkr",
  sts: "Sts",
  logs: "Logs",
  ec2: "Ec2",
  "eks-auth": "EksAuth",
} as const;

export type InterfaceEndpointService = keyof typeof INTERFACE_ENDPOINT_IDS;

/** What private EKS nodes need to pull images, get IRSA credentials and ship logs without a NAT hop. */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly InterfaceEndpointService[] = [
  "ecr.api",
  "ecr.dkr",
  "sts",
  "logs",
];

export interface VpcEndpointsProps {
  readonly vpcId: string;
  /** Admitted on 443 by the endpoints' security group. */
  readonly vpcCidr: string;
  /** Subnets the interface endpoints get a network interface in (one per AZ). */
  readonly subnetIds: readonly string[];
  /** Route tables the S3 gateway endpoint is added to. */
  readonly routeTableIds: readonly string[];
  /** @default DEFAULT_INTERFACE_ENDPOINTS (ecr.api, ecr.dkr, sts, logs) */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
  /** @default true */
  readonly createS3GatewayEndpoint?: boolean;
  /** Prefix of the `Name` tags. @default "mlops" */
  readonly name?: string;
  readonly tags?: Tags;
}

/**
 * An S3 gateway endpoint on the given route tables plus interface endpoints with private DNS, behind a security
 * group that admits HTTPS from the VPC only. Service names come from `aws_vpc_endpoint_service` so they are
 * right in every partition (China uses `cn.com.amazonaws.*` for some services).
 */
export class VpcEndpoints extends Construct {
  readonly securityGroupId?: string;
  /** Endpoint id per service short name (`s3`, `ecr.api`, ...). */
  readonly endpointIds: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const name = props.name ?? "mlops";
    const interfaceEndpoints = props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS;
    const endpointIds: Record<string, string> = {};

    if (props.createS3GatewayEndpoint ?? true) {
      const s3 = new DataAwsVpcEndpointService(this, "S3Service", { service: "s3", serviceType: "Gateway" });
      endpointIds.s3 = new VpcEndpoint(this, "S3", {
        vpcId: props.vpcId,
        serviceName: s3.serviceName,
        vpcEndpointType: "Gateway",
        routeTableIds: [...props.routeTableIds],
        tags: mergeTags(props.tags, { Name: `${name}-s3` }),
      }).id;
    }

    if (interfaceEndpoints.length > 0) {
      const securityGroup = new SecurityGroup(this, "SecurityGroup", {
        name: `${name}-vpc-endpoints`,
        description: "HTTPS from the VPC to interface endpoints",
        vpcId: props.vpcId,
        tags: mergeTags(props.tags, { Name: `${name}-vpc-endpoints` }),
      });
      new VpcSecurityGroupIngressRule(this, "HttpsFromVpc", {
        securityGroupId: securityGroup.id,
        description: "HTTPS from the VPC",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: props.vpcCidr,
      });
      this.securityGroupId = securityGroup.id;

      for (const service of interfaceEndpoints) {
        const idPart = INTERFACE_ENDPOINT_IDS[service];
        const lookup = new DataAwsVpcEndpointService(this, `${idPart}Service`, {
          service,
          serviceType: "Interface",
        });
        endpointIds[service] = new VpcEndpoint(this, idPart, {
          vpcId: props.vpcId,
          serviceName: lookup.serviceName,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: [...props.subnetIds],
          securityGroupIds: [securityGroup.id],
          tags: mergeTags(props.tags, { Name: `${name}-${service}` }),
        }).id;
      }
    }
    this.endpointIds = endpointIds;
  }
}
