import { Construct } from "constructs";
import { idFragment, invalidProp } from "../cluster/validation";
import type { StatefulProtectionProps } from "../core/stateful";
import { mergeTags, type Tags } from "../core/tags";
import { ContainerRepository, type ContainerRepositoryProps } from "./container-repository";
import { GithubOidcPushRole, type GithubOidcPushRoleProps } from "./github-oidc";

/** One repository's settings; its name and key come from the registry. */
export type RepositorySettings = Pick<
  ContainerRepositoryProps,
  "expireUntaggedAfterDays" | "keepLastTaggedImages"
> & {
  readonly tags?: Tags;
};

export interface ContainerRegistryProps extends StatefulProtectionProps {
  /** Namespace of every repository: `<namePrefix>/<name>` (e.g. `mlops-dev/inference-service`). */
  readonly namePrefix: string;
  /** Repositories keyed by name. @default {} */
  readonly repositories?: Readonly<Record<string, RepositorySettings>>;
  /** Customer-managed KMS key for every repository (the platform key). */
  readonly kmsKeyArn: string;
  /**
   * A role GitHub Actions of one repository assume through OIDC to push to every repository here (the image
   * workflow's `AWS_ROLE_ARN`). @default - none: create the role yourself (README, "Container image")
   */
  readonly githubOidc?: Pick<GithubOidcPushRoleProps, "repository" | "branches" | "providerArn">;
  /** Tags on every resource. @default {} */
  readonly tags?: Tags;
}

/**
 * The platform's ECR repositories, one `ContainerRepository` per configured name under the platform's
 * namespace, so that two environments in one account never share a repository.
 */
export class ContainerRegistry extends Construct {
  readonly repositories: Readonly<Record<string, ContainerRepository>>;
  readonly githubPushRole?: GithubOidcPushRole;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const repositories: Record<string, ContainerRepository> = {};
    for (const [name, settings] of Object.entries(props.repositories ?? {})) {
      if (idFragment(name) !== name) {
        throw invalidProp(`repositories.${name}`, name, "a name of letters, digits, '-' and '_'");
      }
      const tags = mergeTags(props.tags, settings.tags);
      repositories[name] = new ContainerRepository(this, name, {
        repositoryName: `${props.namePrefix}/${name}`,
        kmsKeyArn: props.kmsKeyArn,
        expireUntaggedAfterDays: settings.expireUntaggedAfterDays,
        keepLastTaggedImages: settings.keepLastTaggedImages,
        preventDestroy: props.preventDestroy,
        tags: Object.keys(tags).length > 0 ? tags : undefined,
      });
    }
    this.repositories = repositories;
    if (props.githubOidc) {
      this.githubPushRole = new GithubOidcPushRole(this, "GithubPush", {
        ...props.githubOidc,
        repositoryArns: Object.values(repositories).map((r) => r.repositoryArn),
        // <name>-<environment> is at most 33 characters: with "-ecr-" within IAM's 38 for a prefix.
        roleNamePrefix: `${props.namePrefix}-ecr-`,
        tags: props.tags,
      });
    }
  }

  /** Repository URL by name, for outputs and image references. */
  get repositoryUrls(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.repositories).map(([n, r]) => [n, r.repositoryUrl]));
  }

  /** Repository ARN by name, for IAM policies. */
  get repositoryArns(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.repositories).map(([n, r]) => [n, r.repositoryArn]));
  }
}
