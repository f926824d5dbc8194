import { describe, expect, it } from "vitest";
import { iamWorkloadTrust } from "../../../constructs/policy";
import { ECR_PUSH_ACTIONS } from "../../../constructs/registry/container-repository";
import { GithubOidcPushRole, type GithubOidcPushRoleProps } from "../../../constructs/registry/github-oidc";
import { thrownBy } from "../../support/errors";
import { dataOf, onlyResource, resourcesOf, type SynthJson, synthStack } from "../../support/synth";
import { check } from "../policy/harness";

const REPO_ARN = "arn:aws:ecr:eu-west-1:123456789012:repository/acme-dev/inference-service";
const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

const props = (p: Partial<GithubOidcPushRoleProps> = {}): GithubOidcPushRoleProps => ({
  repository: "acme/ml-platform",
  repositoryArns: [REPO_ARN],
  roleNamePrefix: "acme-dev-ecr-",
  ...p,
});

function synth(p: Partial<GithubOidcPushRoleProps> = {}): SynthJson {
  return synthStack((s) => {
    new GithubOidcPushRole(s, "Push", props(p));
  });
}

interface Doc {
  statement: {
    sid?: string;
    actions: string[];
    resources?: string[];
    principals?: { type: string; identifiers: string[] }[];
    condition?: { test: string; variable: string; values: string[] }[];
  }[];
}
const doc = (json: SynthJson, suffix: string) =>
  Object.entries(dataOf(json, "aws_iam_policy_document")).find(([id]) =>
    id.includes(suffix),
  )?.[1] as unknown as Doc;

describe("GithubOidcPushRole", () => {
  it("trusts only GitHub's tokens for the repository's listed branches, one exact subject per statement", () => {
    const json = synth({ branches: ["main", "release/1.0"] });
    const provider = onlyResource(json, "aws_iam_openid_connect_provider") as Record<string, unknown>;
    expect(provider.url).toBe("https://token.actions.githubusercontent.com");
    expect(provider.client_id_list).toEqual(["sts.amazonaws.com"]);
    const [providerId] = Object.keys(resourcesOf(json, "aws_iam_openid_connect_provider"));
    const trust = doc(json, "Trust");
    expect(trust.statement).toHaveLength(2);
    const subjects = trust.statement.map((s) => {
      expect(s.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
      expect(s.principals).toEqual([
        { type: "Federated", identifiers: [`\${aws_iam_openid_connect_provider.${providerId}.arn}`] },
      ]);
      expect(s.condition).toContainEqual({
        test: "StringEquals",
        variable: "token.actions.githubusercontent.com:aud",
        values: ["sts.amazonaws.com"],
      });
      const sub = s.condition?.filter((c) => c.variable === "token.actions.githubusercontent.com:sub") ?? [];
      expect(sub).toHaveLength(1);
      expect(sub[0].test).toBe("StringEquals");
      return sub[0].values;
    });
    expect(subjects).toEqual([
      ["repo:acme/ml-platform:ref:refs/heads/main"],
      ["repo:acme/ml-platform:ref:refs/heads/release/1.0"],
    ]);
  });

  it("may push to the given repositories only, and log in to the registry", () => {
    const json = synth();
    const policy = doc(json, "PushPolicy");
    expect(policy.statement).toEqual([
      { sid: "RegistryLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      { sid: "PushToRepositories", effect: "Allow", actions: [...ECR_PUSH_ACTIONS], resources: [REPO_ARN] },
    ]);
    // Nothing that deletes images or changes the repository.
    for (const a of ECR_PUSH_ACTIONS) expect(a).not.toMatch(/Delete|SetRepositoryPolicy|PutLifecyclePolicy/);
    const attached = onlyResource(json, "aws_iam_role_policy") as { role: string; policy: string };
    const [roleId] = Object.keys(resourcesOf(json, "aws_iam_role"));
    expect(attached.role).toBe(`\${aws_iam_role.${roleId}.id}`);
    expect((onlyResource(json, "aws_iam_role") as { name_prefix: string }).name_prefix).toBe("acme-dev-ecr-");
  });

  it("reuses the account's GitHub provider when given, creating none", () => {
    const json = synth({ providerArn: PROVIDER });
    expect(resourcesOf(json, "aws_iam_openid_connect_provider")).toEqual({});
    expect(doc(json, "Trust").statement[0].principals?.[0].identifiers).toEqual([PROVIDER]);
  });

  it("passes the rule pack's workload-trust rule (MLOPS-IAM-002)", () => {
    expect(
      check(iamWorkloadTrust, (s) => new GithubOidcPushRole(s, "Push", props({ branches: ["main", "dev"] }))),
    ).toEqual([]);
  });

  it.each([
    ["fails when the repository is not owner/name", { repository: "ml-platform" }, "repository"],
    ["fails when a branch is a wildcard", { branches: ["release/*"] }, "branches"],
    ["fails when there is no branch", { branches: [] }, "branches"],
    ["fails when a branch is listed twice", { branches: ["main", "main"] }, "branches"],
    ["fails when there is no repository to push to", { repositoryArns: [] }, "repositoryArns"],
    [
      "fails when the provider is another issuer's",
      { providerArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" },
      "providerArn",
    ],
  ] as const)("%s", (_name, p, prop) => {
    const err = thrownBy(() => synth(p as Partial<GithubOidcPushRoleProps>)) as Error;
    expect(err?.message).toMatch(new RegExp(`^Invalid ${prop}: got .+; expected `));
  });
});
