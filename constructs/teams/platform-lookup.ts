import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { DataAwsS3Bucket } from "@cdktf/provider-aws/lib/data-aws-s3-bucket";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import type { TeamLakeBucket } from "./lake-access";

export interface TeamPlatformLookupProps {
  /** The platform's EKS cluster (its derived name, `cluster.name` or `<name>-<environment>`). */
  readonly clusterName: string;
  readonly region: string;
  /** The data lake: its bucket name prefix (`<name>-<environment>`) and the zones the team uses. @default - none */
  readonly lake?: { readonly namePrefix: string; readonly zones: readonly string[] };
}

/** The cluster as a team environment uses it. */
export interface TeamClusterValues {
  readonly clusterName: string;
  /** API server URL. */
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  readonly certificateAuthorityData: string;
  readonly oidcIssuerUrl: string;
  /** The IAM OIDC provider of the issuer (IRSA), by the ARN AWS gives it. */
  readonly oidcProviderArn: string;
}

/**
 * What a team environment reads of the platform, through data sources on names the configuration derives (the
 * cluster, the lake's buckets and key). Nothing here is a cdktf cross-stack reference: those would add outputs
 * to the foundation stack, changing its JSON each time a team is added or removed (issue 13). The platform
 * must be deployed before a team environment is planned, which the blueprint's stack dependencies order.
 */
export class TeamPlatformLookup extends Construct {
  readonly cluster: DataAwsEksCluster;
  /** Zone → bucket, for the zones the team uses. */
  readonly buckets: Readonly<Record<string, TeamLakeBucket>>;
  /** The lake's KMS key (objects are SSE-KMS under it); undefined without lake zones. */
  readonly lakeKmsKeyArn?: string;
  private readonly props: TeamPlatformLookupProps;

  constructor(scope: Construct, id: string, props: TeamPlatformLookupProps) {
    super(scope, id);
    this.props = props;
    this.cluster = new DataAwsEksCluster(this, "Cluster", { name: props.clusterName });
    const buckets: Record<string, TeamLakeBucket> = {};
    const lake = props.lake;
    if (lake && lake.zones.length > 0) {
      const aws = AwsContext.of(this);
      for (const zone of lake.zones) {
        // The DataLake construct's naming: `<prefix>-<zone>-<account>-<region>` (constructs/data-lake).
        const bucket = new DataAwsS3Bucket(this, `Bucket-${zone}`, {
          bucket: `${lake.namePrefix}-${zone}-${aws.accountId}-${aws.region}`,
        });
        buckets[zone] = { bucketName: bucket.bucket, bucketArn: bucket.arn };
      }
      this.lakeKmsKeyArn = new DataAwsKmsAlias(this, "LakeKey", {
        name: `alias/${lake.namePrefix}-data-lake`,
      }).targetKeyArn;
    }
    this.buckets = buckets;
  }

  /**
   * What the team stack's Kubernetes provider and workload role need of the cluster, read from the data source
   * (the same for a cluster the kit created and one it did not: `cluster.create: false`).
   */
  clusterValues(): TeamClusterValues {
    const aws = AwsContext.of(this);
    const c = this.cluster;
    const issuer = c.identity.get(0).oidc.get(0).issuer;
    return {
      clusterName: this.props.clusterName,
      endpoint: c.endpoint,
      certificateAuthorityData: c.certificateAuthority.get(0).data,
      oidcIssuerUrl: issuer,
      oidcProviderArn: `arn:${aws.partition}:iam::${aws.accountId}:oidc-provider/${Fn.replace(issuer, "https://", "")}`,
    };
  }
}
