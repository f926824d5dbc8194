import { z } from "zod";
import { boundedInt, iamOidcProviderArn, tags } from "../constructs/primitives";
import {
  MAX_KEPT_TAGGED_IMAGES,
  REPOSITORY_LIFECYCLE_DEFAULTS,
} from "../constructs/registry/container-repository";
import { GITHUB_BRANCH, GITHUB_OIDC_HOST, GITHUB_REPOSITORY } from "../constructs/registry/github-oidc";
import { issue } from "./issue";

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

export const GithubOidcSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Create the role .github/workflows/service-image.yml assumes (its ARN: foundation output `ecr_push_role_arn`, the workflow's AWS_ROLE_ARN).",
      ),
    repository: z
      .string()
      .regex(GITHUB_REPOSITORY, "expected a GitHub repository as owner/name")
      .optional()
      .describe("The GitHub repository (owner/name) whose workflows may push; required when enabled."),
    branches: z
      .array(z.string().regex(GITHUB_BRANCH, "expected an exact branch name (no wildcard), e.g. main"))
      .min(1)
      .default(["main"])
      .describe(
        "Branches whose workflow runs may push (exact names: the token's sub is repo:<owner>/<name>:ref:refs/heads/<branch>).",
      ),
    providerArn: iamOidcProviderArn
      .optional()
      .describe(
        "The account's existing IAM OIDC provider for token.actions.githubusercontent.com (an account has one per issuer). Default: one is created.",
      ),
  })
  .describe("GitHub Actions OIDC push role: least privilege, push to this platform's repositories only.");

export const RegistrySchema = z
  .strictObject({
    repositories: z
      .record(repositoryName, RepositorySchema)
      .default(() => ({ [DEFAULT_REPOSITORY]: RepositorySchema.parse({}) }))
      .describe(
        "ECR repositories keyed by name, each `<name>-<environment>/<key>`: immutable tags, scan on push, encrypted with the platform key (cluster.kmsKeyArn or the kit's), `prevent_destroy` unless sandbox. `{}` creates none.",
      ),
    githubOidc: GithubOidcSchema.prefault({}),
  })
  .describe("Container images: the platform's ECR repositories (URLs and ARNs in the foundation outputs).");

export type RegistryConfig = z.output<typeof RegistrySchema>;

/** Checks across the registry's keys, reported at their config paths. */
export function checkRegistry(registry: RegistryConfig, ctx: z.RefinementCtx): void {
  const g = registry.githubOidc;
  if (!g.enabled) return;
  if (!g.repository) {
    issue(
      ctx,
      ["registry", "githubOidc", "repository"],
      g.repository,
      "required when githubOidc.enabled is true: owner/name",
    );
  }
  if (Object.keys(registry.repositories).length === 0) {
    issue(
      ctx,
      ["registry", "repositories"],
      {},
      "githubOidc.enabled needs at least one repository to push to",
    );
  }
  const dupes = g.branches.filter((b, i) => g.branches.indexOf(b) !== i);
  if (dupes.length > 0) issue(ctx, ["registry", "githubOidc", "branches"], dupes, "each branch once");
  if (g.providerArn && !g.providerArn.endsWith(`/${GITHUB_OIDC_HOST}`)) {
    issue(
      ctx,
      ["registry", "githubOidc", "providerArn"],
      g.providerArn,
      `expected the provider of ${GITHUB_OIDC_HOST}`,
    );
  }
}
