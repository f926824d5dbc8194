import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../config";
import { DEFAULT_REPOSITORY } from "../../config/registry";
import { REPOSITORY_LIFECYCLE_DEFAULTS } from "../../constructs/registry/container-repository";
import { configProblems } from "../support/errors";

const base = { name: "acme", environment: "dev", region: "eu-west-1", preset: "minimal" };

const problemsOf = (registry: unknown) =>
  configProblems(() => parsePlatformConfig({ ...base, registry }, "test.yaml"));

describe("registry configuration", () => {
  it("has one repository for the reference inference service by default, with the lifecycle defaults", () => {
    const c = parsePlatformConfig(base);
    expect(Object.keys(c.registry.repositories)).toEqual([DEFAULT_REPOSITORY]);
    expect(c.registry.repositories[DEFAULT_REPOSITORY]).toEqual({
      ...REPOSITORY_LIFECYCLE_DEFAULTS,
      tags: {},
    });
  });

  it("replaces the default with the repositories given, and {} creates none", () => {
    const c = parsePlatformConfig({
      ...base,
      registry: { repositories: { "feature-job": { keepLastTaggedImages: 5 } } },
    });
    expect(Object.keys(c.registry.repositories)).toEqual(["feature-job"]);
    expect(c.registry.repositories["feature-job"].keepLastTaggedImages).toBe(5);
    expect(parsePlatformConfig({ ...base, registry: { repositories: {} } }).registry.repositories).toEqual(
      {},
    );
  });

  it("fails when untagged images would expire at once, naming the path and the value", () => {
    const problems = problemsOf({ repositories: { "inference-service": { expireUntaggedAfterDays: 0 } } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^registry\.repositories\["inference-service"\]\.expireUntaggedAfterDays: /);
    expect(problems[0]).toContain("got 0");
    expect(problems[0]).toContain("expireUntaggedAfterDays must be at least 1");
  });

  it("fails when no tagged image would be kept", () => {
    const problems = problemsOf({ repositories: { "inference-service": { keepLastTaggedImages: 0 } } });
    expect(problems[0]).toMatch(/keepLastTaggedImages: .*got 0.*at least 1/);
  });

  it("fails when a repository name is not lower-case letters and digits with single separators, quoting the key", () => {
    for (const name of ["Inference", "team/service", "a--b", "x"]) {
      const problems = problemsOf({ repositories: { [name]: {} } });
      expect(problems, name).toHaveLength(1);
      expect(problems[0], name).toContain(`got the key ${JSON.stringify(name)}; `);
      expect(problems[0], name).toMatch(/^registry\.repositories/);
    }
  });

  it("fails when a repository setting is unknown", () => {
    const problems = problemsOf({ repositories: { "inference-service": { mutableTags: true } } });
    expect(problems.join("\n")).toContain("mutableTags");
  });
});

describe("registry.githubOidc", () => {
  it("is off by default, and on takes a repository and defaults to the main branch", () => {
    expect(parsePlatformConfig(base).registry.githubOidc.enabled).toBe(false);
    const g = parsePlatformConfig({
      ...base,
      registry: { githubOidc: { enabled: true, repository: "acme/ml" } },
    }).registry.githubOidc;
    expect(g).toEqual({ enabled: true, repository: "acme/ml", branches: ["main"] });
  });

  it("fails when enabled without a repository, naming the key", () => {
    expect(problemsOf({ githubOidc: { enabled: true } })).toEqual([
      "registry.githubOidc.repository: got nothing; required when githubOidc.enabled is true: owner/name",
    ]);
  });

  it("fails when enabled with no repository to push to", () => {
    expect(problemsOf({ repositories: {}, githubOidc: { enabled: true, repository: "acme/ml" } })).toEqual([
      "registry.repositories: got {}; githubOidc.enabled needs at least one repository to push to",
    ]);
  });

  it("fails when a branch is a pattern or listed twice, or the repository is not owner/name", () => {
    const wildcard = problemsOf({
      githubOidc: { enabled: true, repository: "acme/ml", branches: ["release/*"] },
    });
    expect(wildcard.join("\n")).toMatch(
      /registry\.githubOidc\.branches\[0\]: .*release\/\*.*exact branch name/,
    );
    const twice = problemsOf({
      githubOidc: { enabled: true, repository: "acme/ml", branches: ["main", "main"] },
    });
    expect(twice).toEqual(['registry.githubOidc.branches: got ["main"]; each branch once']);
    const repo = problemsOf({ githubOidc: { enabled: true, repository: "ml" } });
    expect(repo.join("\n")).toMatch(/registry\.githubOidc\.repository: got "ml"; .*owner\/name/);
  });

  it("fails when the provider ARN is not an IAM OIDC provider", () => {
    const problems = problemsOf({
      githubOidc: { enabled: true, repository: "acme/ml", providerArn: "arn:aws:iam::123456789012:role/x" },
    });
    expect(problems.join("\n")).toMatch(/registry\.githubOidc\.providerArn: .*IAM OIDC provider ARN/);
    const eks = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    const other = problemsOf({ githubOidc: { enabled: true, repository: "acme/ml", providerArn: eks } });
    expect(other).toHaveLength(1);
    expect(other[0]).toMatch(
      /^registry\.githubOidc\.providerArn: got "arn:aws:iam::123456789012:oidc-provider\/oidc\.eks/,
    );
    expect(other[0]).toContain("; expected the provider of token.actions.githubusercontent.com");
  });
});
