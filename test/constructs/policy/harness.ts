import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import {
  applyRulePack,
  type Finding,
  type PolicyRule,
  type RulePackOptions,
} from "../../../constructs/policy";

export interface Built {
  readonly findings: Finding[];
  readonly stack: TerraformStack;
}

/**
 * Builds one stack (AWS and Kubernetes providers) with `build`, applies a pack with just `rule` and returns that
 * rule's findings. `options` override the pack options (environment dev, not a sandbox).
 */
export function check(
  rule: PolicyRule,
  build: (stack: TerraformStack) => void,
  options: Partial<RulePackOptions> = {},
): Finding[] {
  return checkStack(rule, build, options).findings;
}

export function checkStack(
  rule: PolicyRule,
  build: (stack: TerraformStack) => void,
  options: Partial<RulePackOptions> = {},
): Built {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new KubernetesProvider(stack, "kubernetes", {});
  build(stack);
  const pack = applyRulePack(app, { environment: "dev", failOnError: false, ...options, rules: [rule] });
  return { findings: pack.findings().filter((f) => f.ruleId === rule.id), stack };
}

export interface BucketFixture {
  sse?: "kms" | "aes" | "kms-no-key" | false;
  versioning?: "Enabled" | "Suspended" | false;
  publicAccessBlock?: boolean | "partial";
  tlsOnly?: boolean;
  /** Log into this bucket (construct); undefined: no logging. */
  logTo?: S3Bucket;
}

/** A bucket with its bucket-level resources; every option defaults to the compliant setting except logging. */
export function bucket(scope: Construct, id: string, f: BucketFixture = {}): S3Bucket {
  const b = new S3Bucket(scope, id, {
    bucket: `${id.toLowerCase()}-bucket`,
    lifecycle: { preventDestroy: true },
  });
  const sse = f.sse ?? "kms";
  if (sse) {
    new S3BucketServerSideEncryptionConfigurationA(scope, `${id}Sse`, {
      bucket: b.id,
      rule: [
        {
          applyServerSideEncryptionByDefault:
            sse === "aes"
              ? { sseAlgorithm: "AES256" }
              : {
                  sseAlgorithm: "aws:kms",
                  kmsMasterKeyId: sse === "kms" ? "arn:aws:kms:eu-west-1:123456789012:key/abc" : undefined,
                },
        },
      ],
    });
  }
  const versioning = f.versioning ?? "Enabled";
  if (versioning) {
    new S3BucketVersioningA(scope, `${id}Versioning`, {
      bucket: b.id,
      versioningConfiguration: { status: versioning },
    });
  }
  const pab = f.publicAccessBlock ?? true;
  if (pab) {
    new S3BucketPublicAccessBlock(scope, `${id}Pab`, {
      bucket: b.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: pab !== "partial",
    });
  }
  const tls = f.tlsOnly ?? true;
  const doc = new DataAwsIamPolicyDocument(scope, `${id}PolicyDoc`, {
    statement: tls
      ? [
          {
            sid: "DenyInsecureTransport",
            effect: "Deny",
            actions: ["s3:*"],
            resources: [b.arn, `${b.arn}/*`],
            principals: [{ type: "*", identifiers: ["*"] }],
            condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
          },
        ]
      : [
          {
            effect: "Allow",
            actions: ["s3:GetObject"],
            resources: [`${b.arn}/*`],
            principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }],
          },
        ],
  });
  new S3BucketPolicy(scope, `${id}Policy`, { bucket: b.id, policy: doc.json });
  if (f.logTo) {
    new S3BucketLoggingA(scope, `${id}Logging`, {
      bucket: b.id,
      targetBucket: f.logTo.bucket,
      targetPrefix: `${id}/`,
    });
  }
  return b;
}

/** The paths of findings, for readable assertions. */
export function paths(findings: readonly Finding[]): string[] {
  return findings.map((f) => f.path).sort();
}
