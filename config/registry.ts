import { z } from "zod";
import { boundedInt, tags } from "../constructs/primitives";
import {
  MAX_KEPT_TAGGED_IMAGES,
  REPOSITORY_LIFECYCLE_DEFAULTS,
} from "../constructs/registry/container-repository";

/** The repository the reference inference service's image is pushed to (.github/workflows/service-image.yml). */
export const DEFAULT_REPOSITORY = "inference-service";

/** Repository keys: they become `<name>-<environment>/<key>` and the construct id, so lower-case DNS-style. */
const repositoryName = z
  .string()
  .min(2)
  .max(100)
  .regex(
    /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/,
    "expected lower-case letters and digits, separated by single '-' or '_'",
  );

export const RepositorySchema = z
  .strictObject({
    expireUntaggedAfterDays: boundedInt("expireUntaggedAfterDays", 1, 3650)
      .default(REPOSITORY_LIFECYCLE_DEFAULTS.expireUntaggedAfterDays)
      .describe(
        "Untagged images (pushed by digest only, or left by an interrupted push) expire this many days after their push.",
      ),
    keepLastTaggedImages: boundedInt("keepLastTaggedImages", 1, MAX_KEPT_TAGGED_IMAGES)
      .default(REPOSITORY_LIFECYCLE_DEFAULTS.keepLastTaggedImages)
      .describe(
        "Only the newest this many tagged images are kept. Keep it above the versions a rollback may need: a deployment pinned to an expired digest cannot start new pods.",
      ),
    tags: tags.default({}).describe("Tags on this repository."),
  })
  .describe("One ECR repository.");

export const RegistrySchema = z
  .strictObject({
    repositories: z
      .record(repositoryName, RepositorySchema)
      .default(() => ({ [DEFAULT_REPOSITORY]: RepositorySchema.parse({}) }))
      .describe(
        "ECR repositories keyed by name, each `<name>-<environment>/<key>`: immutable tags, scan on push, encrypted with the platform key (cluster.kmsKeyArn or the kit's), `prevent_destroy` unless sandbox. `{}` creates none.",
      ),
  })
  .describe("Container images: the platform's ECR repositories (URLs and ARNs in the foundation outputs).");

export type RegistryConfig = z.output<typeof RegistrySchema>;
