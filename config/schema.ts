import { z } from "zod";
import { PLATFORM_ADD_ONS } from "../constructs/addons";
import {
  DEFAULT_KUBERNETES_VERSION,
  SUPPORTED_KUBERNETES_VERSIONS,
} from "../constructs/cluster/kubernetes-versions";
import type { AddOnDefinition } from "../constructs/core/addon-definition";
import { INTERFACE_ENDPOINT_IDS, type InterfaceEndpointService } from "../constructs/network/vpc-endpoints";
import { PolicyConfigSchema } from "../constructs/policy/suppressions";
import {
  awsRegion,
  cidr,
  cidrsOverlap,
  dnsLabel,
  iamPrincipalArn,
  kmsKeyArn,
  logRetentionInDays,
  parseCidr,
  snsTopicArn,
  tags,
} from "../constructs/primitives";
import { AddOnsSchema, checkAddOnDependencies } from "./addons";
import { issue } from "./issue";
import { AUTOSCALERS, checkNodePools, NodePoolSchema } from "./node-pools";
import { checkRegistry, RegistrySchema } from "./registry";
import { checkTeams, TeamsSchema } from "./teams";

/**
 * The platform configuration: the only door through which parameters enter the kit. Every field is documented
 * here; `docs/configuration.md` and the README's reference are generated from this file.
 */

/** Interface endpoints the network construct knows how to create. */
export const INTERFACE_ENDPOINTS = Object.keys(INTERFACE_ENDPOINT_IDS) as [
  InterfaceEndpointService,
  ...InterfaceEndpointService[],
];

export const NetworkSchema = z
  .strictObject({
    createVpc: z
      .boolean()
      .default(true)
      .describe("Create a VPC; false brings your own (`vpcId`, `privateSubnetIds`)."),
    vpcCidr: cidr.default("10.0.0.0/16").describe("CIDR of the new VPC (a /16 to /20), or of your own VPC."),
    azCount: z.int().min(2).max(6).default(3).describe("Availability zones the new VPC spans."),
    natGatewayStrategy: z
      .enum(["one-per-az", "single", "none"])
      .default("one-per-az")
      .describe(
        "NAT gateways: one per AZ (zonal resilience), a single one (cheaper), or none (fully private).",
      ),
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, "expected a VPC id like vpc-0123456789abcdef0")
      .optional()
      .describe("Your VPC, when `createVpc` is false."),
    privateSubnetIds: z
      .array(
        z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "expected a subnet id like subnet-0123456789abcdef0"),
      )
      .default([])
      .describe("Your private subnets (two or more, in different AZs), when `createVpc` is false."),
    publicSubnetIds: z
      .array(
        z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "expected a subnet id like subnet-0123456789abcdef0"),
      )
      .default([])
      .describe("Your public subnets for internet-facing load balancers, when `createVpc` is false."),
    flowLogRetentionInDays: logRetentionInDays.default(365).describe("Retention of the VPC flow log group."),
    interfaceEndpoints: z
      .array(z.enum(INTERFACE_ENDPOINTS))
      .default(["ecr.api", "ecr.dkr", "sts", "logs"])
      .describe("Interface VPC endpoints with private DNS (an S3 gateway endpoint is always created)."),
  })
  .describe("Network: a new VPC or your own.");

export const ClusterSchema = z
  .strictObject({
    create: z
      .boolean()
      .default(true)
      .describe(
        "Create the EKS cluster; false installs the platform into your existing cluster (bring your own: `name`, and `network.createVpc: false` with the cluster's VPC and subnets).",
      ),
    name: dnsLabel(100)
      .optional()
      .describe("EKS cluster name; with `create: false`, your cluster's. Default: `<name>-<environment>`."),
    kubernetesVersion: z
      .enum(SUPPORTED_KUBERNETES_VERSIONS)
      .default(DEFAULT_KUBERNETES_VERSION)
      .describe("Kubernetes minor version."),
    endpointPublicAccess: z
      .boolean()
      .default(false)
      .describe(
        "Expose the API endpoint publicly (only to `publicAccessCidrs`). The private endpoint is always on.",
      ),
    publicAccessCidrs: z
      .array(cidr)
      .default([])
      .describe("CIDRs allowed to reach a public endpoint; required when `endpointPublicAccess` is true."),
    adminPrincipalArns: z
      .array(iamPrincipalArn)
      .default([])
      .describe("IAM roles or users given cluster-admin through EKS access entries."),
    logRetentionInDays: logRetentionInDays.default(90).describe("Retention of the control-plane log group."),
    serviceIpv4Cidr: cidr
      .default("172.20.0.0/16")
      .describe("CIDR for Kubernetes Service IPs; must not overlap the VPC."),
    kmsKeyArn: kmsKeyArn
      .optional()
      .describe("Bring your own key for secrets and logs. Default: a platform key."),
    oidcProviderArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/,
        "expected an IAM OIDC provider ARN like arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
      )
      .optional()
      .describe(
        "With `create: false`: your cluster's IAM OIDC provider (IRSA). Default: looked up by the cluster's issuer URL.",
      ),
  })
  .describe("The EKS cluster.");

const ZoneSchema = z.strictObject({
  noncurrentVersionExpirationInDays: z.int().min(1).optional().describe("Override of the lake-wide setting."),
  transitionToIntelligentTieringAfterDays: z
    .int()
    .min(0)
    .optional()
    .describe("Move objects to Intelligent-Tiering."),
  expirationInDays: z.int().min(1).optional().describe("Delete current objects after this many days."),
  tags: tags.default({}).describe("Tags on this zone's bucket."),
});

export const DataLakeSchema = z
  .strictObject({
    create: z.boolean().default(true).describe("Create the data lake."),
    zones: z
      .record(dnsLabel(20), ZoneSchema)
      .default({ raw: { tags: {} }, curated: { tags: {} }, features: { tags: {} }, models: { tags: {} } })
      .describe("Zones, one bucket and Glue database each, keyed by name."),
    noncurrentVersionExpirationInDays: z
      .int()
      .min(1)
      .default(90)
      .describe("Expire noncurrent object versions."),
    accessLogRetentionInDays: z.int().min(1).default(365).describe("Expire server access logs."),
    enableLakeFormation: z
      .boolean()
      .default(false)
      .describe("Register the zone buckets with Lake Formation."),
    requestMetrics: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "S3 request metrics per zone bucket (billed by S3) and a CloudWatch alarm on 4xx spikes.",
          ),
        accessDeniedThreshold: z
          .number()
          .min(1)
          .default(10)
          .describe(
            "4xx responses per bucket in 5 minutes that fire the alarm (`4xxErrors` counts every 4xx: mostly 403 AccessDenied, 404 too).",
          ),
        alarmTopicArn: snsTopicArn
          .optional()
          .describe(
            "Bring-your-own SNS topic for the alarms. Default: a topic encrypted with the lake key (ARN in the `data_lake_alarm_topic_arn` output).",
          ),
      })
      .prefault({})
      .describe("CloudWatch alarms on data lake access denied spikes."),
  })
  .describe("The S3 data lake.");

export const StateBackendSchema = z
  .strictObject({
    type: z.enum(["local", "s3"]).default("local").describe("Where Terraform state lives."),
    bucket: z.string().min(3).max(63).optional().describe("S3 bucket (required for `s3`)."),
    keyPrefix: z
      .string()
      .default("mlops-platform")
      .describe("Key prefix; each stack's state is `<prefix>/<stack>.tfstate`."),
    region: awsRegion.optional().describe("Region of the state bucket. Default: the platform region."),
    kmsKeyArn: kmsKeyArn
      .optional()
      .describe("KMS key for the state objects. Default: the bucket's SSE-S3/KMS default."),
    useLockfile: z.boolean().default(true).describe("S3-native state locking (Terraform ≥ 1.10)."),
    path: z
      .string()
      .default("terraform.{stack}.tfstate")
      .describe(
        "Local state file; `{stack}` is the stack name. Relative to the project root (the folder with cdktf.json), or absolute.",
      ),
  })
  .describe("Terraform state backend.");

export const CapacitySchema = z
  .strictObject({
    autoscaler: z
      .enum(AUTOSCALERS)
      .default("karpenter")
      .describe(
        "`karpenter`: the Karpenter add-on launches the nodes of pools with `provisioner: karpenter` (Spot first, from zero, within their limits); `none`: managed node groups only, at their fixed sizes.",
      ),
  })
  .describe("How the cluster gains and sheds nodes.");

export const PRESETS = ["minimal", "standard", "gpu-training"] as const;

export const PlatformConfigObject = z.strictObject({
  preset: z
    .enum(PRESETS)
    .optional()
    .describe("A config fragment applied under this file (see config/presets)."),
  name: dnsLabel(20).describe("Platform name, the prefix of every resource name."),
  environment: dnsLabel(12).describe("Environment, e.g. dev, staging, prod (`prod` tightens some defaults)."),
  region: awsRegion.describe("AWS region."),
  sandbox: z
    .boolean()
    .default(false)
    .describe("Sandbox: stateful resources lose `prevent_destroy` and buckets may be force-destroyed."),
  tags: tags.default({}).describe("Tags on every resource."),
  network: NetworkSchema.default(() => NetworkSchema.parse({})),
  cluster: ClusterSchema.default(() => ClusterSchema.parse({})),
  capacity: CapacitySchema.prefault({}),
  nodePools: z.record(dnsLabel(30), NodePoolSchema).default({}).describe("Node pools keyed by name."),
  dataLake: DataLakeSchema.default(() => DataLakeSchema.parse({})),
  registry: RegistrySchema.prefault({}),
  stateBackend: StateBackendSchema.default(() => StateBackendSchema.parse({})),
  addons: AddOnsSchema.prefault({}),
  policy: PolicyConfigSchema.prefault({}).describe(
    "The security rule pack: suppressions with written reasons.",
  ),
  teams: TeamsSchema,
});

type Ctx = z.RefinementCtx;

function checkNetwork(c: z.output<typeof PlatformConfigObject>, ctx: Ctx): void {
  const n = c.network;
  if (!n.createVpc) {
    if (!n.vpcId)
      issue(ctx, ["network", "vpcId"], n.vpcId, "required when createVpc is false: the id of your VPC");
    if (n.privateSubnetIds.length < 2) {
      issue(
        ctx,
        ["network", "privateSubnetIds"],
        n.privateSubnetIds,
        `EKS needs private subnets in at least two availability zones; got ${n.privateSubnetIds.length}`,
      );
    }
    const dupes = n.privateSubnetIds.filter((s, i) => n.privateSubnetIds.indexOf(s) !== i);
    if (dupes.length > 0) issue(ctx, ["network", "privateSubnetIds"], dupes, "subnet ids must be unique");
  } else {
    if (n.vpcId) issue(ctx, ["network", "vpcId"], n.vpcId, "only allowed with createVpc: false");
    if (n.privateSubnetIds.length > 0) {
      issue(ctx, ["network", "privateSubnetIds"], n.privateSubnetIds, "only allowed with createVpc: false");
    }
    const vpc = parseCidr(n.vpcCidr);
    if (vpc && (vpc.prefix < 16 || vpc.prefix > 20)) {
      issue(
        ctx,
        ["network", "vpcCidr"],
        n.vpcCidr,
        "expected a /16 to /20 block (room for public and private subnets)",
      );
    }
  }
  const vpc = parseCidr(n.vpcCidr);
  const svc = parseCidr(c.cluster.serviceIpv4Cidr);
  if (vpc && svc && cidrsOverlap(vpc, svc)) {
    issue(
      ctx,
      ["cluster", "serviceIpv4Cidr"],
      c.cluster.serviceIpv4Cidr,
      `overlaps network.vpcCidr ${n.vpcCidr}; Service IPs must not collide with pod and node addresses`,
    );
  }
}

/** Bring-your-own cluster: what the kit needs to find it, and settings that only shape a cluster it creates. */
function checkExistingCluster(c: z.output<typeof PlatformConfigObject>, ctx: Ctx): void {
  const k = c.cluster;
  if (k.create) {
    if (k.oidcProviderArn)
      issue(ctx, ["cluster", "oidcProviderArn"], k.oidcProviderArn, "only allowed with create: false");
    return;
  }
  const created = "only allowed with create: true; an existing cluster's";
  if (!k.name)
    issue(ctx, ["cluster", "name"], k.name, "required when create is false: the name of your EKS cluster");
  if (c.network.createVpc)
    issue(
      ctx,
      ["network", "createVpc"],
      true,
      "must be false when cluster.create is false: set network.vpcId and network.privateSubnetIds to your cluster's VPC and private subnets",
    );
  if (k.endpointPublicAccess)
    issue(ctx, ["cluster", "endpointPublicAccess"], true, `${created} endpoint is configured by its owner`);
  if (k.adminPrincipalArns.length > 0)
    issue(
      ctx,
      ["cluster", "adminPrincipalArns"],
      k.adminPrincipalArns,
      `${created} access entries are managed by its owner`,
    );
}

function checkCluster(c: z.output<typeof PlatformConfigObject>, ctx: Ctx): void {
  checkExistingCluster(c, ctx);
  const k = c.cluster;
  if (k.endpointPublicAccess && k.publicAccessCidrs.length === 0) {
    issue(
      ctx,
      ["cluster", "publicAccessCidrs"],
      [],
      "required when endpointPublicAccess is true: list the CIDRs allowed",
    );
  }
  if (!k.endpointPublicAccess && k.publicAccessCidrs.length > 0) {
    issue(
      ctx,
      ["cluster", "publicAccessCidrs"],
      k.publicAccessCidrs,
      "only allowed with endpointPublicAccess: true",
    );
  }
  k.publicAccessCidrs.forEach((value, i) => {
    if (parseCidr(value)?.prefix === 0) {
      issue(
        ctx,
        ["cluster", "publicAccessCidrs", i],
        value,
        "the whole internet is not an allow-list; name your CIDRs",
      );
    }
  });
}

function checkDataLake(c: z.output<typeof PlatformConfigObject>, ctx: Ctx): void {
  for (const [zone, z] of Object.entries(c.dataLake.zones)) {
    if (
      z.expirationInDays !== undefined &&
      z.transitionToIntelligentTieringAfterDays !== undefined &&
      z.expirationInDays <= z.transitionToIntelligentTieringAfterDays
    ) {
      issue(
        ctx,
        ["dataLake", "zones", zone, "expirationInDays"],
        z.expirationInDays,
        `must be later than transitionToIntelligentTieringAfterDays (${z.transitionToIntelligentTieringAfterDays})`,
      );
    }
  }
  if (c.dataLake.create && Object.keys(c.dataLake.zones).length === 0) {
    issue(ctx, ["dataLake", "zones"], {}, "at least one zone is needed when create is true");
  }
}

function checkStateBackend(c: z.output<typeof PlatformConfigObject>, ctx: Ctx): void {
  const b = c.stateBackend;
  if (b.type === "s3" && !b.bucket)
    issue(ctx, ["stateBackend", "bucket"], b.bucket, "required when type is s3");
  if (b.type === "local" && b.bucket)
    issue(ctx, ["stateBackend", "bucket"], b.bucket, "only allowed with type: s3");
  // Without {stack} every stack would write the same state file and overwrite the others'.
  if (b.type === "local" && !b.path.includes("{stack}"))
    issue(
      ctx,
      ["stateBackend", "path"],
      b.path,
      "expected a path containing {stack}, so that each stack has its own state file",
    );
}

/** Checks that span sections; `addOns` are the definitions the `addons` object was built from. */
export const checkPlatform =
  (addOns: readonly AddOnDefinition[]) => (c: z.output<typeof PlatformConfigObject>, ctx: Ctx) => {
    checkAddOnDependencies(addOns, c, ctx);
    checkNetwork(c, ctx);
    checkCluster(c, ctx);
    checkNodePools(c.nodePools, c.capacity.autoscaler, ctx, { existingCluster: !c.cluster.create });
    checkDataLake(c, ctx);
    checkStateBackend(c, ctx);
    checkRegistry(c.registry, ctx);
    checkTeams(c, ctx);
  };

export const PlatformConfigSchema = PlatformConfigObject.superRefine(checkPlatform(PLATFORM_ADD_ONS));

/** The validated configuration with every default filled in. */
export type PlatformConfig = z.output<typeof PlatformConfigSchema>;
/** What a configuration file may contain (defaults optional). */
export type PlatformConfigInput = z.input<typeof PlatformConfigSchema>;

export { AMI_TYPES, type NodePoolConfig, NodePoolSchema } from "./node-pools";
