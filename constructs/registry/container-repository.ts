import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";
import { invalidProp, isUnresolved, requireIntegerInRange } from "../cluster/validation";
import { protectStateful } from "../core/stateful";
import type { Tags } from "../core/tags";

/** What ECR accepts as a repository name (namespaces separated by `/`), 2 to 256 characters. */
export const ECR_REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Defaults of the image lifecycle, shared with the configuration schema. */
export const REPOSITORY_LIFECYCLE_DEFAULTS = {
  expireUntaggedAfterDays: 7,
  keepLastTaggedImages: 30,
} as const;

/** Upper bound of `keepLastTaggedImages`: far above what a rollback needs, it catches a typo'd count. */
export const MAX_KEPT_TAGGED_IMAGES = 1000;

export interface ContainerRepositoryProps {
  /** ECR repository name, e.g. `mlops-dev/inference-service` (lower case, `/` separates namespaces). */
  readonly repositoryName: string;
  /**
   * Customer-managed KMS key that encrypts the images at rest (`encryption_type = KMS`). ECR uses it through
   * grants it creates on the key when the repository is created (the principal applying Terraform needs
   * `kms:CreateGrant` and `kms:DescribeKey`); pulling nodes need no KMS permission of their own.
   */
  readonly kmsKeyArn: string;
  /**
   * Untagged images (left behind when a build is pushed again, or by an interrupted push) are expired this
   * many days after their push. @default 7
   */
  readonly expireUntaggedAfterDays?: number;
  /**
   * Only the newest this many tagged images are kept; older ones are expired. Keep it above the number of
   * versions a rollback may need: a deployment pinned to an expired digest cannot start new pods. @default 30
   */
  readonly keepLastTaggedImages?: number;
  /**
   * `lifecycle.prevent_destroy`, and `force_delete` stays false: a repository holding images cannot be deleted
   * by Terraform. With `false` (a sandbox) the repository is destroyed with its images. @default true
   */
  readonly preventDestroy?: boolean;
  readonly tags?: Tags;
}

/**
 * A private ECR repository for the platform's own images: immutable tags (a tag names one build forever, so
 * a digest and its tag agree), basic scanning on every push, images encrypted with a customer KMS key, and a
 * lifecycle policy that expires untagged images after N days and keeps the last N tagged ones.
 *
 * There is no repository policy: nodes in this account pull through their node role's identity policy
 * (`AmazonEC2ContainerRegistryReadOnly` on managed node groups, `AmazonEC2ContainerRegistryPullOnly` on
 * Karpenter's nodes), which a repository policy would only repeat; pushes go through a role you grant
 * `pushActions()` on `repositoryArn`.
 */
export class ContainerRepository extends Construct {
  readonly repository: EcrRepository;
  readonly lifecyclePolicy: EcrLifecyclePolicy;
  readonly repositoryName: string;
  readonly repositoryArn: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: what `docker push` and a pod's `image` use. */
  readonly repositoryUrl: string;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    validateContainerRepositoryProps(props);
    const preventDestroy = props.preventDestroy ?? true;
    this.repository = new EcrRepository(this, "Repository", {
      name: props.repositoryName,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.kmsKeyArn }],
      // Only a sandbox lets Terraform delete a repository that still holds images.
      forceDelete: !preventDestroy,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    protectStateful(this.repository, { preventDestroy });

    this.lifecyclePolicy = new EcrLifecyclePolicy(this, "LifecyclePolicy", {
      repository: this.repository.name,
      policy: JSON.stringify(
        repositoryLifecycleRules({
          expireUntaggedAfterDays:
            props.expireUntaggedAfterDays ?? REPOSITORY_LIFECYCLE_DEFAULTS.expireUntaggedAfterDays,
          keepLastTaggedImages:
            props.keepLastTaggedImages ?? REPOSITORY_LIFECYCLE_DEFAULTS.keepLastTaggedImages,
        }),
      ),
    });
    this.repositoryName = this.repository.name;
    this.repositoryArn = this.repository.arn;
    this.repositoryUrl = this.repository.repositoryUrl;
  }
}

/** The ECR lifecycle policy document: untagged images by age, then tagged images by count. */
export function repositoryLifecycleRules(options: {
  readonly expireUntaggedAfterDays: number;
  readonly keepLastTaggedImages: number;
}): { rules: Record<string, unknown>[] } {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images ${options.expireUntaggedAfterDays} days after their push`,
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: options.expireUntaggedAfterDays,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${options.keepLastTaggedImages} tagged images`,
        // "tagged" needs a pattern; "*" matches every tag, so untagged images never count against the limit.
        selection: {
          tagStatus: "tagged",
          tagPatternList: ["*"],
          countType: "imageCountMoreThan",
          countNumber: options.keepLastTaggedImages,
        },
        action: { type: "expire" },
      },
    ],
  };
}

/**
 * The actions a CI role needs on one repository to push, find an earlier push of a tag and read its scan
 * (.github/workflows/service-image.yml), besides `ecr:GetAuthorizationToken` on `*`.
 */
export const ECR_PUSH_ACTIONS: readonly string[] = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:CompleteLayerUpload",
  "ecr:DescribeImageScanFindings",
  "ecr:DescribeImages",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];

export function validateContainerRepositoryProps(props: ContainerRepositoryProps): void {
  const name = props.repositoryName;
  if (!isUnresolved(name) && (name.length < 2 || name.length > 256 || !ECR_REPOSITORY_NAME.test(name))) {
    throw invalidProp(
      "repositoryName",
      name,
      "2 to 256 lower-case letters, digits and . _ - separators, with / between namespaces (e.g. mlops-dev/inference-service)",
    );
  }
  if (!isUnresolved(props.kmsKeyArn) && !/^arn:aws[a-z-]*:kms:/.test(props.kmsKeyArn)) {
    throw invalidProp("kmsKeyArn", props.kmsKeyArn, "a KMS key ARN (arn:<partition>:kms:…)");
  }
  if (props.expireUntaggedAfterDays !== undefined) {
    requireIntegerInRange("expireUntaggedAfterDays", props.expireUntaggedAfterDays, 1, 3650);
  }
  if (props.keepLastTaggedImages !== undefined) {
    requireIntegerInRange("keepLastTaggedImages", props.keepLastTaggedImages, 1, MAX_KEPT_TAGGED_IMAGES);
  }
}
