import { Token } from "cdktf";
import type { StatefulProtectionProps } from "../core/stateful";
import type { Tags } from "../core/tags";
import { ARN, LOG_RETENTION_DAYS } from "../primitives";
import { parseCidr } from "./cidr";
import { INTERFACE_ENDPOINT_IDS, type InterfaceEndpointService } from "./vpc-endpoints";

export type NatGatewayStrategy = "single" | "one-per-az" | "none";
export const NAT_GATEWAY_STRATEGIES: readonly NatGatewayStrategy[] = ["single", "one-per-az", "none"];
/** EKS needs two AZs; six is the most any region offers to every account. */
export const MIN_AZ_COUNT = 2;
export const MAX_AZ_COUNT = 6;

export interface NetworkProps extends StatefulProtectionProps {
  /**
   * Creates the VPC and everything in it. `false` = bring your own: pass `vpcId`, `vpcCidr` and at least two
   * `privateSubnetIds`; nothing is created and the same outputs are exposed.
   * @default true
   */
  readonly createVpc?: boolean;
  /** Prefix of `Name` tags, the flow-log group/role and the endpoint security group. Lowercase DNS-safe, ≤ 32. @default "mlops" */
  readonly name?: string;
  /**
   * IPv4 block of the VPC, /16 to /20. Private subnets are prefix+4 (a /16 gives /20s: 10.0.0.0/20, 10.0.16.0/20,
   * ...), public subnets prefix+8 carved from the last prefix+4 block (10.0.240.0/24, 10.0.241.0/24, ...).
   * @default "10.0.0.0/16"
   */
  readonly cidr?: string;
  /** Number of AZs (2-6). @default - length of `availabilityZones`, else 3 */
  readonly azCount?: number;
  /**
   * Explicit AZ names, e.g. `["eu-west-1a", "eu-west-1b"]`.
   * @default - the first `azCount` of `data.aws_availability_zones` (state available, opt-in not required)
   */
  readonly availabilityZones?: readonly string[];
  /** Creates public subnets, an internet gateway and a public route table (for internet-facing LBs and NAT). @default true */
  readonly createPublicSubnets?: boolean;
  /**
   * `one-per-az` survives an AZ outage; `single` saves money (one NAT, cross-AZ traffic); `none` leaves private
   * subnets without internet egress (use VPC endpoints).
   * @default "one-per-az"
   */
  readonly natGatewayStrategy?: NatGatewayStrategy;
  /** Adds `kubernetes.io/cluster/<clusterName>=shared` to the subnets. @default - no cluster tag */
  readonly clusterName?: string;
  /** @default true */
  readonly createS3GatewayEndpoint?: boolean;
  /** Interface endpoints with private DNS in the private subnets. @default ["ecr.api", "ecr.dkr", "sts", "logs"] */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
  /** Flow logs of ALL traffic to CloudWatch Logs. @default true */
  readonly createFlowLog?: boolean;
  /** Flow-log group retention; one of the values CloudWatch Logs accepts. @default 365 */
  readonly flowLogRetentionInDays?: number;
  /**
   * Bring-your-own KMS key for the flow-log group (its policy must admit CloudWatch Logs).
   * @default - a KmsKey with `allowCloudWatchLogs: true` is created
   */
  readonly kmsKeyArn?: string;

  /** Bring-your-own VPC id (`createVpc: false`). @default - required when createVpc is false */
  readonly vpcId?: string;
  /** Bring-your-own VPC CIDR (`createVpc: false`). @default - required when createVpc is false */
  readonly vpcCidr?: string;
  /** Bring-your-own private subnets, at least two (`createVpc: false`). @default - required when createVpc is false */
  readonly privateSubnetIds?: readonly string[];
  /** Bring-your-own public subnets (`createVpc: false`). @default [] */
  readonly publicSubnetIds?: readonly string[];
  /** Bring-your-own private route tables (`createVpc: false`). @default [] */
  readonly privateRouteTableIds?: readonly string[];

  /** Tags on every resource. @default {} */
  readonly tags?: Tags;
  /** @default {} */
  readonly vpcTags?: Tags;
  /** Added to public subnets after the EKS tags. @default {} */
  readonly publicSubnetTags?: Tags;
  /** Added to private subnets after the EKS tags. @default {} */
  readonly privateSubnetTags?: Tags;
  /**
   * Tags a controller finds the private subnets by (e.g. `karpenter.sh/discovery`), in both modes: on created
   * subnets like `privateSubnetTags`; on bring-your-own subnets one `aws_ec2_tag` per subnet and key, so only
   * these keys are managed on subnets the kit does not own. @default {}
   */
  readonly privateSubnetDiscoveryTags?: Tags;
}

const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;
const AZ_PATTERN = /^[a-z]{2}(-[a-z0-9]+)+[a-z]$/;
const CLUSTER_NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

const known = (value: string | undefined): value is string =>
  value !== undefined && !Token.isUnresolved(value);

/** Throws an Error naming the prop, its value and what was expected. */
export function validateNetworkProps(props: NetworkProps): void {
  const prefix = "Network:";
  if (props.name !== undefined && !NAME_PATTERN.test(props.name)) {
    throw new Error(
      `${prefix} name "${props.name}" is invalid: expected 1-32 lowercase letters, digits or hyphens, starting and ending with a letter or digit`,
    );
  }
  if (props.createVpc === false) {
    validateBringYourOwn(props);
    return;
  }
  for (const key of [
    "vpcId",
    "vpcCidr",
    "privateSubnetIds",
    "publicSubnetIds",
    "privateRouteTableIds",
  ] as const) {
    if (props[key] !== undefined) {
      throw new Error(
        `${prefix} ${key} is only used with createVpc: false (bring your own VPC); remove it or set createVpc: false`,
      );
    }
  }
  if (props.cidr !== undefined) parseCidr(props.cidr, `${prefix} cidr`);
  if (props.azCount !== undefined) {
    if (!Number.isInteger(props.azCount) || props.azCount < MIN_AZ_COUNT || props.azCount > MAX_AZ_COUNT) {
      throw new Error(
        `${prefix} azCount ${props.azCount} is out of range: expected an integer from ${MIN_AZ_COUNT} to ${MAX_AZ_COUNT}`,
      );
    }
  }
  if (props.availabilityZones !== undefined) {
    const zones = props.availabilityZones;
    if (zones.length < MIN_AZ_COUNT || zones.length > MAX_AZ_COUNT) {
      throw new Error(
        `${prefix} availabilityZones has ${zones.length} entries: expected ${MIN_AZ_COUNT} to ${MAX_AZ_COUNT} AZ names`,
      );
    }
    for (const zone of zones) {
      if (known(zone) && !AZ_PATTERN.test(zone)) {
        throw new Error(
          `${prefix} availabilityZones entry "${zone}" is not an AZ name: expected e.g. "eu-west-1a"`,
        );
      }
    }
    if (new Set(zones).size !== zones.length) {
      throw new Error(
        `${prefix} availabilityZones [${zones.join(", ")}] has duplicates: expected distinct AZs`,
      );
    }
    if (props.azCount !== undefined && props.azCount !== zones.length) {
      throw new Error(
        `${prefix} azCount ${props.azCount} does not match availabilityZones (${zones.length} entries): pass one or make them agree`,
      );
    }
  }
  const strategy = props.natGatewayStrategy ?? "one-per-az";
  if (!NAT_GATEWAY_STRATEGIES.includes(strategy)) {
    throw new Error(
      `${prefix} natGatewayStrategy "${strategy}" is invalid: expected one of ${NAT_GATEWAY_STRATEGIES.join(", ")}`,
    );
  }
  if (props.createPublicSubnets === false && strategy !== "none") {
    throw new Error(
      `${prefix} natGatewayStrategy "${strategy}" needs public subnets but createPublicSubnets is false: set natGatewayStrategy "none" or create public subnets`,
    );
  }
  if (
    props.clusterName !== undefined &&
    known(props.clusterName) &&
    !CLUSTER_NAME_PATTERN.test(props.clusterName)
  ) {
    throw new Error(
      `${prefix} clusterName "${props.clusterName}" is not a valid EKS cluster name: expected 1-100 letters, digits, hyphens or underscores, starting with a letter or digit`,
    );
  }
  if (props.interfaceEndpoints !== undefined) {
    const allowed = Object.keys(INTERFACE_ENDPOINT_IDS);
    for (const service of props.interfaceEndpoints) {
      if (!allowed.includes(service)) {
        throw new Error(
          `${prefix} interfaceEndpoints entry "${service}" is not supported: expected any of ${allowed.join(", ")}`,
        );
      }
    }
    if (new Set(props.interfaceEndpoints).size !== props.interfaceEndpoints.length) {
      throw new Error(`${prefix} interfaceEndpoints [${props.interfaceEndpoints.join(", ")}] has duplicates`);
    }
  }
  if (props.flowLogRetentionInDays !== undefined) {
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.flowLogRetentionInDays)) {
      throw new Error(
        `${prefix} flowLogRetentionInDays ${props.flowLogRetentionInDays} is not a CloudWatch Logs retention: expected one of ${LOG_RETENTION_DAYS.join(", ")}`,
      );
    }
  }
  if (known(props.kmsKeyArn) && !ARN.kmsKey.test(props.kmsKeyArn)) {
    throw new Error(
      `${prefix} kmsKeyArn "${props.kmsKeyArn}" is not a KMS key ARN: expected arn:<partition>:kms:<region>:<account>:key/<id>`,
    );
  }
}

function validateBringYourOwn(props: NetworkProps): void {
  const prefix = "Network (createVpc: false):";
  if (!props.vpcId)
    throw new Error(`${prefix} vpcId is ${JSON.stringify(props.vpcId)}: expected the id of an existing VPC`);
  if (known(props.vpcId) && !/^vpc-[0-9a-f]+$/.test(props.vpcId)) {
    throw new Error(`${prefix} vpcId "${props.vpcId}" is malformed: expected "vpc-" followed by hex digits`);
  }
  if (!props.vpcCidr)
    throw new Error(`${prefix} vpcCidr is ${JSON.stringify(props.vpcCidr)}: expected the VPC's IPv4 CIDR`);
  if (known(props.vpcCidr)) parseCidr(props.vpcCidr, `${prefix} vpcCidr`);
  const privateSubnetIds = props.privateSubnetIds ?? [];
  if (privateSubnetIds.length < 2) {
    throw new Error(
      `${prefix} privateSubnetIds has ${privateSubnetIds.length} entries: expected at least 2 subnets in different AZs (EKS requires two)`,
    );
  }
  for (const key of ["privateSubnetIds", "publicSubnetIds"] as const) {
    for (const subnetId of props[key] ?? []) {
      if (known(subnetId) && !/^subnet-[0-9a-f]+$/.test(subnetId)) {
        throw new Error(
          `${prefix} ${key} entry "${subnetId}" is malformed: expected "subnet-" followed by hex digits`,
        );
      }
    }
  }
}
