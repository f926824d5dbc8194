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
