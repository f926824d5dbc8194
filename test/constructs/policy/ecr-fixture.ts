import { EcrRepository, type EcrRepositoryConfig } from "@cdktf/provider-aws/lib/ecr-repository";
import type { Construct } from "constructs";

/** An ECR repository that passes every ECR rule unless `overrides` weaken it. */
export function ecrRepository(
  scope: Construct,
  id: string,
  overrides: Partial<EcrRepositoryConfig> = {},
): EcrRepository {
  return new EcrRepository(scope, id, {
    name: `fixture/${id.toLowerCase()}`,
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: [
      {
        encryptionType: "KMS",
        kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      },
    ],
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}
