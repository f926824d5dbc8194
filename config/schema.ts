import { z } from "zod";
import { PLATFORM_ADD_ONS } from "../constructs/addons";
import {
  DEFAULT_KUBERNETES_VERSION,
  SUPPORTED_KUBERNETES_VERSIONS,
} from "../constructs/cluster/kubernetes-versions";
import type { AddOnDefinition } from "../constructs/core/addon-definition";
import {
  gpuIncompatibility,
  isArmInstanceType,
  isInstanceType,
  isNvidiaGpuInstanceType,
} from "../constructs/core/instance-types";
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
  show,
  tags,
} from "../constructs/primitives";
import { AddOnsSchema, checkAddOnDependencies } from "./addons";

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
    name: dnsLabel(100).optional().describe("EKS cluster name. Default: `<name>-<environment>`."),
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
  })
  .describe("The EKS cluster.");

const TaintSchema = z.strictObject({
  key: z.string().min(1).max(253),
  value: z.string().max(63).optional(),
  effect: z.enum(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]),
});

export const AMI_TYPES = [
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_STANDARD",
  "AL2023_x86_64_NVIDIA",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64",
  "BOTTLEROCKET_x86_64_NVIDIA",
] as const;

export const NodePoolSchema = z
  .strictObject({
    create: z.boolean().default(true).describe("Set false to drop a pool inherited from a preset."),
    gpu: z
      .boolean()
      .default(false)
      .describe("A GPU pool: NVIDIA AMI, `nvidia.com/gpu=true:NoSchedule` taint, GPU instance types only."),
    instanceTypes: z
      .array(z.string().refine(isInstanceType, { message: "expected an EC2 instance type like m6i.large" }))
      .min(1)
      .describe("EC2 instance types, in order of preference."),
    capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND").describe("On-demand or Spot capacity."),
    amiType: z
      .enum(AMI_TYPES)
      .optional()
      .describe("EKS AMI type. Default: AL2023, NVIDIA for GPU pools, ARM for Graviton."),
    minSize: z.int().min(0).max(1000).describe("Minimum nodes (0 allowed, e.g. for GPU pools)."),
    maxSize: z.int().min(1).max(1000).describe("Maximum nodes."),
    desiredSize: z.int().min(0).max(1000).optional().describe("Initial nodes. Default: `minSize`."),
    diskSizeGiB: z.int().min(20).max(16384).default(100).describe("Encrypted gp3 root volume size."),
    labels: z.record(z.string().min(1), z.string().max(63)).default({}).describe("Kubernetes node labels."),
    taints: z.array(TaintSchema).default([]).describe("Kubernetes taints (`key`, `value`, `effect`)."),
    httpPutResponseHopLimit: z
      .union([z.literal(1), z.literal(2)])
      .default(1)
      .describe("IMDSv2 hop limit: 1 keeps pods off the node's credentials; 2 only for pods that need IMDS."),
    tags: tags.default({}).describe("Tags on this pool's resources."),
  })
  .describe("A managed node group.");

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
      .describe("Local state file; `{stack}` is the stack name."),
  })
  .describe("Terraform state backend.");

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
  nodePools: z.record(dnsLabel(30), NodePoolSchema).default({}).describe("Node pools keyed by name."),
  dataLake: DataLakeSchema.default(() => DataLakeSchema.parse({})),
  stateBackend: StateBackendSchema.default(() => StateBackendSchema.parse({})),
  addons: AddOnsSchema.prefault({}),
  policy: PolicyConfigSchema.prefault({}).describe(
    "The security rule pack: suppressions with written reasons.",
  ),
});

type Ctx = z.RefinementCtx;

function issue(ctx: Ctx, path: (string | number)[], input: unknown, message: string): void {
  // zod drops `input` from custom issues, so the quoted value goes into the message here.
  ctx.addIssue({
    code: "custom",
    path,
    message: `got ${show(input)}; ${message}`,
    params: { formatted: true },
  });
}

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

function checkCluster(c: z.output<typeof PlatformConfigObject>, ctx: Ctx): void {
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

function checkNodePools(c: z.output<typeof PlatformConfigObject>, ctx: Ctx): void {
  const active = Object.entries(c.nodePools).filter(([, p]) => p.create);
  if (active.length === 0) {
    issue(ctx, ["nodePools"], Object.keys(c.nodePools), "at least one node pool with create: true is needed");
  }
  if (!active.some(([, p]) => !p.gpu && p.minSize > 0)) {
    issue(
      ctx,
      ["nodePools"],
      Object.keys(c.nodePools),
      "at least one non-GPU pool with minSize ≥ 1 is needed to run cluster add-ons (coredns, controllers)",
    );
  }
  for (const [name, p] of Object.entries(c.nodePools)) {
    const at = ["nodePools", name];
    if (p.minSize > p.maxSize) {
      issue(ctx, [...at, "minSize"], p.minSize, `must be ≤ maxSize (${p.maxSize})`);
    }
    if (p.desiredSize !== undefined && (p.desiredSize < p.minSize || p.desiredSize > p.maxSize)) {
      issue(
        ctx,
        [...at, "desiredSize"],
        p.desiredSize,
        `must be between minSize (${p.minSize}) and maxSize (${p.maxSize})`,
      );
    }
    p.instanceTypes.forEach((type, i) => {
      if (p.gpu) {
        const why = gpuIncompatibility(type);
        if (why)
          issue(
            ctx,
            [...at, "instanceTypes", i],
            type,
            `a GPU pool needs NVIDIA GPU instances; ${type} ${why}`,
          );
      } else if (isNvidiaGpuInstanceType(type)) {
        issue(ctx, [...at, "instanceTypes", i], type, "is a GPU instance type: set gpu: true on this pool");
      }
    });
    const arm = p.instanceTypes.map(isArmInstanceType);
    if (arm.some((a) => a) && arm.some((a) => !a)) {
      issue(ctx, [...at, "instanceTypes"], p.instanceTypes, "mixes Arm (Graviton) and x86 instance types");
    }
    if (p.amiType) {
      const nvidia = p.amiType.includes("NVIDIA");
      if (p.gpu && !nvidia) issue(ctx, [...at, "amiType"], p.amiType, "a GPU pool needs an NVIDIA AMI type");
      if (!p.gpu && nvidia)
        issue(ctx, [...at, "amiType"], p.amiType, "NVIDIA AMI types are for gpu: true pools");
      const armAmi = p.amiType.includes("ARM");
      if (arm.length > 0 && arm.every((a) => a) !== armAmi) {
        issue(
          ctx,
          [...at, "amiType"],
          p.amiType,
          `does not match the ${armAmi ? "x86" : "Arm"} instance types`,
        );
      }
    }
    p.taints.forEach((t, i) => {
      if (p.gpu && t.key === "nvidia.com/gpu") {
        issue(ctx, [...at, "taints", i], t, "the nvidia.com/gpu taint is added to GPU pools automatically");
      }
    });
  }
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
}

/** Checks that span sections; `addOns` are the definitions the `addons` object was built from. */
export const checkPlatform =
  (addOns: readonly AddOnDefinition[]) => (c: z.output<typeof PlatformConfigObject>, ctx: Ctx) => {
    checkAddOnDependencies(addOns, c, ctx);
    checkNetwork(c, ctx);
    checkCluster(c, ctx);
    checkNodePools(c, ctx);
    checkDataLake(c, ctx);
    checkStateBackend(c, ctx);
  };

export const PlatformConfigSchema = PlatformConfigObject.superRefine(checkPlatform(PLATFORM_ADD_ONS));

/** The validated configuration with every default filled in. */
export type PlatformConfig = z.output<typeof PlatformConfigSchema>;
/** What a configuration file may contain (defaults optional). */
export type PlatformConfigInput = z.input<typeof PlatformConfigSchema>;
export type NodePoolConfig = z.output<typeof NodePoolSchema>;
