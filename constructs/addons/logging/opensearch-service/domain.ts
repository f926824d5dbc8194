import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformOutput, Token } from "cdktf";
import { Construct } from "constructs";
import { AwsContext } from "../../../core/aws-context";
import { protectStateful } from "../../../core/stateful";
import { mergeTags, type Tags } from "../../../core/tags";
import { ARN, parseCidr } from "../../../primitives";
import { WRITER_HTTP_ACTIONS, writerPolicy } from "./access";
import type { OpenSearchServiceConfig } from "./config";
import { type OpenSearchTopology, resolveTopology } from "./topology";

/** The strongest endpoint policy OpenSearch Service offers: TLS 1.2-1.3, forward-secret ciphers only. */
export const OPENSEARCH_TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10";

/** Log types the domain publishes, with the suffix of their log group name. */
export const OPENSEARCH_LOG_TYPES = {
  AUDIT_LOGS: "audit",
  ES_APPLICATION_LOGS: "application",
  SEARCH_SLOW_LOGS: "search-slow",
  INDEX_SLOW_LOGS: "index-slow",
} as const;

export interface OpenSearchServiceDomainProps {
  readonly config: OpenSearchServiceConfig;
  /** `<name>-<environment>`: the domain is `<prefix>-logs`, its log groups `/aws/opensearch/<prefix>-logs/…`. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** The platform's private subnets, one per AZ; the domain uses the first min(3, n). */
  readonly privateSubnetIds: readonly string[];
  /** The platform KMS key: data at rest and the log groups (its policy must admit CloudWatch Logs). */
  readonly kmsKeyArn: string;
  /** Security groups admitted on 443, e.g. the EKS cluster security group every node carries. */
  readonly clientSecurityGroupIds?: readonly string[];
  /** IPv4 CIDRs admitted on 443, for clients without a security group. @default [] */
  readonly clientCidrs?: readonly string[];
  /** IAM roles that ship logs (the collector's IRSA role): named in the access policy with write methods. */
  readonly writerRoleArns: readonly string[];
  /** Production defaults (dedicated masters). @default false */
  readonly production?: boolean;
  /** `lifecycle.prevent_destroy` on the domain and the audit log group. @default true */
  readonly preventDestroy?: boolean;
  /**
   * Creates `AWSServiceRoleForAmazonOpenSearchService`, which VPC domains need. It exists once per account and
   * creating it twice fails, so it is off by default: most accounts have it from their first domain.
   * @default false
   */
  readonly createServiceLinkedRole?: boolean;
  readonly tags?: Tags;
}

/** Domain names: 3-28 characters, lower-case letter first, then lower-case letters, digits and '-'. */
const DOMAIN_NAME = /^[a-z][a-z0-9-]{2,27}$/;

/**
 * An Amazon OpenSearch Service domain for the platform's logs, reachable only from the given sources on 443 in
 * the private subnets: encrypted at rest with the platform key and between nodes, HTTPS only with TLS 1.2+,
 * fine-grained access control with an IAM master user and no internal user database, and audit, application
 * and slow logs in KMS-encrypted CloudWatch log groups.
 */
export class OpenSearchServiceDomain extends Construct {
  readonly domain: OpensearchDomain;
  readonly securityGroup: SecurityGroup;
  readonly logGroups: Readonly<Record<keyof typeof OPENSEARCH_LOG_TYPES, CloudwatchLogGroup>>;
  readonly topology: OpenSearchTopology;
  /** The role created as FGAC master user when the config names none. */
  readonly adminRole?: IamRole;
  readonly domainName: string;
  /** `https://`-less VPC endpoint host name of the domain. */
  readonly endpoint: string;
  readonly domainArn: string;
  readonly securityGroupId: string;
  readonly masterUserArn: string;

  constructor(scope: Construct, id: string, props: OpenSearchServiceDomainProps) {
    super(scope, id);
    const { config } = props;
    const aws = AwsContext.of(this);
    this.topology = resolveTopology(config, props.privateSubnetIds, props.production ?? false);
    this.domainName = `${props.namePrefix}-logs`;
    validateProps(props, this.domainName);
    const tags = mergeTags(props.tags, { "mlops.io/component": "logging" });
    // Built from the name, not read from the domain: the log resource policy and the access policy must
    // exist before the domain does, so they cannot reference its attributes.
    const domainArn = aws.arn("es", `domain/${this.domainName}`);

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${this.domainName}-domain`,
      description: "OpenSearch Service domain: HTTPS from the admitted clients only",
      vpcId: props.vpcId,
      // No egress rules: the domain answers on established connections and starts none of its own.
      tags: { ...tags, Name: `${this.domainName}-domain` },
    });
    const sources = [
      ...(props.clientSecurityGroupIds ?? []).map(
        (sg, i) => [`IngressHttpsSg${i}`, { referencedSecurityGroupId: sg }, "security group"] as const,
      ),
      ...(props.clientCidrs ?? []).map(
        (cidr, i) => [`IngressHttpsCidr${i}`, { cidrIpv4: cidr }, "CIDR"] as const,
      ),
    ];
    for (const [ruleId, source, what] of sources) {
      new VpcSecurityGroupIngressRule(this, ruleId, {
        securityGroupId: this.securityGroup.id,
        ...source,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: `HTTPS to the OpenSearch domain from an admitted ${what}`,
        tags,
      });
    }

    const groups = {} as Record<keyof typeof OPENSEARCH_LOG_TYPES, CloudwatchLogGroup>;
    for (const [type, suffix] of Object.entries(OPENSEARCH_LOG_TYPES)) {
      const group = new CloudwatchLogGroup(this, `Logs-${suffix}`, {
        name: `/aws/opensearch/${this.domainName}/${suffix}`,
        retentionInDays: config.logRetentionInDays,
        kmsKeyId: props.kmsKeyArn,
        tags,
      });
      groups[type as keyof typeof OPENSEARCH_LOG_TYPES] = group;
    }
    this.logGroups = groups;
    // The audit trail outlives a mistaken destroy like the data does.
    protectStateful(groups.AUDIT_LOGS, { preventDestroy: props.preventDestroy });

    const logDelivery = new DataAwsIamPolicyDocument(this, "LogDeliveryPolicy", {
      statement: [
        {
          sid: "OpenSearchLogDelivery",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: [`es.${aws.dnsSuffix}`] }],
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: Object.values(groups).map((g) => `${g.arn}:*`),
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [domainArn] },
          ],
        },
      ],
    });
    const logPolicy = new CloudwatchLogResourcePolicy(this, "LogDelivery", {
      policyName: `${this.domainName}-opensearch-logs`,
      policyDocument: logDelivery.json,
    });

    if (config.masterUserArn) {
      this.masterUserArn = config.masterUserArn;
    } else {
      this.adminRole = new IamRole(this, "AdminRole", {
        name: `${this.domainName}-admin`,
        description: `Fine-grained access control master user of the ${this.domainName} OpenSearch domain`,
        // Trusts the account, i.e. delegates to IAM: only principals granted sts:AssumeRole on it can use it.
        assumeRolePolicy: new DataAwsIamPolicyDocument(this, "AdminTrust", {
          statement: [
            {
              effect: "Allow",
              actions: ["sts:AssumeRole"],
              principals: [{ type: "AWS", identifiers: [`arn:${aws.partition}:iam::${aws.accountId}:root`] }],
            },
          ],
        }).json,
        tags,
      });
      this.masterUserArn = this.adminRole.arn;
    }

    const statements = [
      {
        sid: "Admin",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: [this.masterUserArn] }],
        actions: ["es:ESHttp*"],
        resources: [`${domainArn}/*`],
      },
    ];
    if (props.writerRoleArns.length > 0) {
      statements.push({
        sid: "Writers",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: [...props.writerRoleArns] }],
        actions: [...WRITER_HTTP_ACTIONS],
        resources: [`${domainArn}/*`],
      });
    }
    const accessPolicy = new DataAwsIamPolicyDocument(this, "AccessPolicy", { statement: statements });

    const linkedRole = props.createServiceLinkedRole
      ? new IamServiceLinkedRole(this, "ServiceLinkedRole", {
          awsServiceName: `opensearchservice.${aws.dnsSuffix}`,
          description: "Lets OpenSearch Service place domain network interfaces in the VPC",
          tags,
        })
      : undefined;

    const topo = this.topology;
    const master = config.dedicatedMaster;
    this.domain = new OpensearchDomain(this, "Domain", {
      domainName: this.domainName,
      engineVersion: config.engineVersion,
      ipAddressType: "ipv4",
      clusterConfig: {
        instanceType: config.instanceType,
        instanceCount: topo.instanceCount,
        zoneAwarenessEnabled: topo.zoneAwarenessEnabled,
        zoneAwarenessConfig: topo.zoneAwarenessEnabled
          ? { availabilityZoneCount: topo.availabilityZoneCount }
          : undefined,
        dedicatedMasterEnabled: topo.dedicatedMasterEnabled,
        dedicatedMasterType: topo.dedicatedMasterEnabled ? master.instanceType : undefined,
        dedicatedMasterCount: topo.dedicatedMasterEnabled ? master.count : undefined,
      },
      ebsOptions: {
        ebsEnabled: true,
        volumeType: "gp3",
        volumeSize: config.ebs.volumeSizeInGiB,
        iops: config.ebs.iops,
        throughput: config.ebs.throughputInMiBps,
      },
      vpcOptions: { subnetIds: [...topo.subnetIds], securityGroupIds: [this.securityGroup.id] },
      encryptAtRest: { enabled: true, kmsKeyId: props.kmsKeyArn },
      nodeToNodeEncryption: { enabled: true },
      domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: OPENSEARCH_TLS_POLICY },
      advancedSecurityOptions: {
        enabled: true,
        anonymousAuthEnabled: false,
        internalUserDatabaseEnabled: false,
        masterUserOptions: { masterUserArn: this.masterUserArn },
      },
      accessPolicies: accessPolicy.json,
      logPublishingOptions: Object.entries(groups).map(([type, g]) => ({
        logType: type,
        cloudwatchLogGroupArn: g.arn,
        enabled: true,
      })),
      autoTuneOptions: {
        desiredState: config.autoTuneEnabled ? "ENABLED" : "DISABLED",
        rollbackOnDisable: "NO_ROLLBACK",
        useOffPeakWindow: config.autoTuneEnabled,
      },
      offPeakWindowOptions: { enabled: true },
      softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
      tags,
      // AWS checks at creation that it may write to the log groups and that the service-linked role exists.
      dependsOn: linkedRole ? [logPolicy, linkedRole] : [logPolicy],
    });
    protectStateful(this.domain, { preventDestroy: props.preventDestroy });

    this.endpoint = this.domain.endpoint;
    this.domainArn = this.domain.arn;
    this.securityGroupId = this.securityGroup.id;

    new TerraformOutput(this, "EndpointOutput", {
      value: this.domain.endpoint,
      description: `VPC endpoint (host name, HTTPS on 443) of the ${this.domainName} OpenSearch Service domain`,
    });
    new TerraformOutput(this, "ArnOutput", {
      value: this.domain.arn,
      description: `ARN of the ${this.domainName} OpenSearch Service domain (IAM policies name <arn>/*)`,
    });
  }

  /**
   * Gives a writer's role (e.g. the collector's IRSA role) the `writerPolicy` for this domain as an inline
   * policy. The role's ARN must also be in `writerRoleArns` (the domain's access policy) and mapped in FGAC.
   */
  grantWrite(id: string, role: { readonly roleName: string }): IamRolePolicy {
    return new IamRolePolicy(this, `Writer-${id}`, {
      role: role.roleName,
      name: `${this.domainName}-write`,
      policy: writerPolicy(this.domainArn),
    });
  }
}

function validateProps(props: OpenSearchServiceDomainProps, domainName: string): void {
  const known = (v: string) => !Token.isUnresolved(v);
  if (known(props.namePrefix) && !DOMAIN_NAME.test(domainName)) {
    throw new Error(
      `Invalid namePrefix: got ${JSON.stringify(props.namePrefix)}; the domain name ${JSON.stringify(domainName)} must be 3-28 lower-case letters, digits or '-', starting with a letter (shorten the platform name or environment).`,
    );
  }
  const sgs = props.clientSecurityGroupIds ?? [];
  const cidrs = props.clientCidrs ?? [];
  if (sgs.length === 0 && cidrs.length === 0) {
    throw new Error(
      "Invalid clientSecurityGroupIds/clientCidrs: got none; expected at least one source admitted on 443 (the EKS cluster security group), or the domain is unreachable.",
    );
  }
  for (const c of cidrs) {
    if (known(c) && (parseCidr(c) === undefined || c.endsWith("/0"))) {
      throw new Error(
        `Invalid clientCidrs: got ${JSON.stringify(c)}; expected a private IPv4 CIDR like the VPC's 10.0.0.0/16, never /0.`,
      );
    }
  }
  for (const arn of props.writerRoleArns) {
    if (known(arn) && !ARN.iamPrincipal.test(arn)) {
      throw new Error(
        `Invalid writerRoleArns: got ${JSON.stringify(arn)}; expected an IAM role ARN like arn:aws:iam::123456789012:role/log-collector.`,
      );
    }
  }
  if (known(props.kmsKeyArn) && !ARN.kmsKey.test(props.kmsKeyArn)) {
    throw new Error(
      `Invalid kmsKeyArn: got ${JSON.stringify(props.kmsKeyArn)}; expected a KMS key ARN (not an alias): OpenSearch encryption at rest and CloudWatch Logs need the key.`,
    );
  }
}
