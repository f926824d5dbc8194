import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { invalidProp, isUnresolved } from "../cluster/validation";
import type { Tags } from "../core/tags";
import { ARN } from "../primitives/arns";
import { ECR_PUSH_ACTIONS } from "./container-repository";

/** GitHub Actions' OIDC issuer; its tokens carry `repo:<owner>/<repo>:ref:<ref>` as `sub`. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** `owner/repo` as GitHub spells it. */
export const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** A branch name as git allows it, without wildcards (a pattern would admit branches anyone can push). */
export const GITHUB_BRANCH = /^(?!\/|.*\/\/|.*\/$|.*\.\.|.*\.lock$)[A-Za-z0-9._/-]{1,255}$/;

export interface GithubOidcPushRoleProps {
  /** `owner/repo` whose workflows may assume the role. */
  readonly repository: string;
  /** Branches whose workflow runs may push (`refs/heads/<branch>`), exact names. @default ["main"] */
  readonly branches?: readonly string[];
  /** ECR repositories the role may push to (and read back: digests, scan findings). */
  readonly repositoryArns: readonly string[];
  /**
   * The account's IAM OIDC provider for `token.actions.githubusercontent.com`. An account has at most one per
   * issuer: pass its ARN when it exists already. @default - one is created
   */
  readonly providerArn?: string;
  /** `name_prefix` of the role (at most 38 characters). */
  readonly roleNamePrefix: string;
  readonly tags?: Tags;
}

/**
 * The role `.github/workflows/service-image.yml` assumes (repository variable `AWS_ROLE_ARN`): trusted only by
 * GitHub's OIDC tokens for one repository's listed branches (one statement per branch, each an exact `sub`),
 * with the audience `sts.amazonaws.com`, and allowed only to push to the given ECR repositories.
 */
export class GithubOidcPushRole extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;
  readonly provider?: IamOpenidConnectProvider;
  readonly providerArn: string;

  constructor(scope: Construct, id: string, props: GithubOidcPushRoleProps) {
    super(scope, id);
    const branches = props.branches ?? ["main"];
    validateGithubOidcPushRoleProps({ ...props, branches });

    if (props.providerArn) {
      this.providerArn = props.providerArn;
    } else {
      // No thumbprint: IAM verifies GitHub's issuer against its own library of trusted CAs.
      this.provider = new IamOpenidConnectProvider(this, "Provider", {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ["sts.amazonaws.com"],
        tags: props.tags ? { ...props.tags } : undefined,
      });
      this.providerArn = this.provider.arn;
    }

    const trust = new DataAwsIamPolicyDocument(this, "Trust", {
      statement: branches.map((branch, i) => ({
        sid: `Branch${i + 1}`,
        effect: "Allow",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [this.providerArn] }],
        condition: [
          { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: ["sts.amazonaws.com"] },
          {
            test: "StringEquals",
            variable: `${GITHUB_OIDC_HOST}:sub`,
            values: [`repo:${props.repository}:ref:refs/heads/${branch}`],
          },
        ],
      })),
    });
    this.role = new IamRole(this, "Role", {
      namePrefix: props.roleNamePrefix,
      description: `Pushes images from GitHub Actions of ${props.repository} (${branches.join(", ")})`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    const policy = new DataAwsIamPolicyDocument(this, "PushPolicy", {
      statement: [
        // The registry login token is account-wide: ECR does not scope this action to a repository.
        { sid: "RegistryLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
        {
          sid: "PushToRepositories",
          effect: "Allow",
          actions: [...ECR_PUSH_ACTIONS],
          resources: [...props.repositoryArns],
        },
      ],
    });
    new IamRolePolicy(this, "Push", { role: this.role.id, name: "ecr-push", policy: policy.json });
    this.roleArn = this.role.arn;
  }
}

export function validateGithubOidcPushRoleProps(props: GithubOidcPushRoleProps): void {
  if (!isUnresolved(props.repository) && !GITHUB_REPOSITORY.test(props.repository)) {
    throw invalidProp("repository", props.repository, "a GitHub repository as owner/name");
  }
  const branches = props.branches ?? [];
  if (branches.length === 0) throw invalidProp("branches", branches, "at least one branch name");
  for (const b of branches) {
    if (!isUnresolved(b) && !GITHUB_BRANCH.test(b)) {
      throw invalidProp("branches", b, "an exact branch name (no wildcard), e.g. main or release/1.0");
    }
  }
  if (new Set(branches).size !== branches.length) {
    throw invalidProp("branches", branches, "each branch once");
  }
  if (props.repositoryArns.length === 0) {
    throw invalidProp("repositoryArns", props.repositoryArns, "at least one ECR repository to push to");
  }
  if (props.providerArn && !isUnresolved(props.providerArn)) {
    if (!ARN.iamOidcProvider.test(props.providerArn) || !props.providerArn.endsWith(`/${GITHUB_OIDC_HOST}`)) {
      throw invalidProp("providerArn", props.providerArn, `the IAM OIDC provider ARN of ${GITHUB_OIDC_HOST}`);
    }
  }
  if (!isUnresolved(props.roleNamePrefix) && props.roleNamePrefix.length > 38) {
    throw invalidProp("roleNamePrefix", props.roleNamePrefix, "at most 38 characters (IAM name_prefix)");
  }
}
