import { z } from "zod";

/**
 * ARNs the kit accepts, for every partition (`aws`, `aws-us-gov`, `aws-cn`). One pattern per kind, used by the
 * config schema and by constructs checking their props.
 */
export const ARN = {
  /**
   * An IAM role or user. Not an STS session (`assumed-role/…`): EKS access entries and trust policies name the
   * role, and a session ARN stops matching when the session ends.
   */
  iamPrincipal: /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/,
  /** A KMS key (not an alias): what EKS, RDS, S3 and CloudWatch Logs encryption settings need. */
  kmsKey: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/,
  /** A KMS key or alias. */
  kmsKeyOrAlias: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/,
  /** Secret names may hold `/_+=.@-!` (RDS-managed ones start `rds!`); AWS appends a random suffix. */
  secretsManagerSecret: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d+:secret:.+$/,
  acmCertificate: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d+:certificate\/[\w-]+$/,
  /** Topic names: letters, digits, `-`, `_`; FIFO topics end in `.fifo`. */
  snsTopic: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/,
  /** An IAM OIDC identity provider: `oidc-provider/<issuer host and path>`. */
  iamOidcProvider: /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/[\w.-]+(\/[\w.-]+)*$/,
} as const;

export const iamPrincipalArn = z
  .string()
  .regex(
    ARN.iamPrincipal,
    "expected an IAM role or user ARN (not an STS session) like arn:aws:iam::123456789012:role/platform-admin",
  );

export const kmsKeyArn = z.string().regex(ARN.kmsKeyOrAlias, "expected a KMS key or alias ARN");

export const secretsManagerSecretArn = z
  .string()
  .regex(
    ARN.secretsManagerSecret,
    "expected a Secrets Manager secret ARN like arn:aws:secretsmanager:eu-west-1:123456789012:secret:name-AbCdEf",
  );

export const acmCertificateArn = z
  .string()
  .regex(
    ARN.acmCertificate,
    "expected an ACM certificate ARN like arn:aws:acm:eu-west-1:123456789012:certificate/<id>",
  );

export const snsTopicArn = z
  .string()
  .regex(ARN.snsTopic, "expected an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:alarms");

export const iamOidcProviderArn = z
  .string()
  .regex(
    ARN.iamOidcProvider,
    "expected an IAM OIDC provider ARN like arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
  );
