import { describe, expect, it } from "vitest";
import {
  ContainerRepository,
  type ContainerRepositoryProps,
  REPOSITORY_LIFECYCLE_DEFAULTS,
} from "../../../constructs/registry/container-repository";
import { thrownBy } from "../../support/errors";
import { onlyResource, resourcesOf, type SynthJson, synthStack } from "../../support/synth";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function synth(props: Partial<ContainerRepositoryProps> = {}): SynthJson {
  return synthStack((s) => {
    new ContainerRepository(s, "Repo", {
      repositoryName: "acme-dev/inference-service",
      kmsKeyArn: KEY,
      ...props,
    });
  });
}

interface LifecycleRule {
  rulePriority: number;
  selection: {
    tagStatus: string;
    tagPatternList?: string[];
    countType: string;
    countUnit?: string;
    countNumber: number;
  };
  action: { type: string };
}

function lifecycleRules(json: SynthJson): LifecycleRule[] {
  const policy = onlyResource(json, "aws_ecr_lifecycle_policy") as { policy: string; repository: string };
  return (JSON.parse(policy.policy) as { rules: LifecycleRule[] }).rules;
}

describe("ContainerRepository", () => {
  it("makes tags immutable, scans on push, encrypts with the given KMS key and refuses to delete images", () => {
    const repo = onlyResource(synth(), "aws_ecr_repository") as Record<string, unknown>;
    expect(repo.name).toBe("acme-dev/inference-service");
    expect(repo.image_tag_mutability).toBe("IMMUTABLE");
    expect(repo.image_scanning_configuration).toEqual({ scan_on_push: true });
    expect(repo.encryption_configuration).toEqual([{ encryption_type: "KMS", kms_key: KEY }]);
    expect(repo.force_delete).toBe(false);
    expect(repo.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("expires untagged images after N days and keeps the last N tagged images, on this repository", () => {
    const json = synth();
    const policy = onlyResource(json, "aws_ecr_lifecycle_policy") as { repository: string };
    const [id] = Object.keys(resourcesOf(json, "aws_ecr_repository"));
    expect(policy.repository).toBe(`\${aws_ecr_repository.${id}.name}`);
    const rules = lifecycleRules(json);
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2]);
    expect(rules.every((r) => r.action.type === "expire")).toBe(true);
    expect(rules[0].selection).toEqual({
      tagStatus: "untagged",
      countType: "sinceImagePushed",
      countUnit: "days",
      countNumber: REPOSITORY_LIFECYCLE_DEFAULTS.expireUntaggedAfterDays,
    });
    // Tagged images only: untagged leftovers never push a tagged image out of the kept window.
    expect(rules[1].selection).toEqual({
      tagStatus: "tagged",
      tagPatternList: ["*"],
      countType: "imageCountMoreThan",
      countNumber: REPOSITORY_LIFECYCLE_DEFAULTS.keepLastTaggedImages,
    });
  });

  it("takes the lifecycle counts from its props", () => {
    const rules = lifecycleRules(synth({ expireUntaggedAfterDays: 3, keepLastTaggedImages: 80 }));
    expect(rules[0].selection.countNumber).toBe(3);
    expect(rules[1].selection.countNumber).toBe(80);
  });

  it("has no repository policy: same-account nodes pull through their node role", () => {
    expect(resourcesOf(synth(), "aws_ecr_repository_policy")).toEqual({});
  });

  it("drops prevent_destroy and lets Terraform delete the images only with preventDestroy: false", () => {
    const repo = onlyResource(synth({ preventDestroy: false }), "aws_ecr_repository") as Record<
      string,
      unknown
    >;
    expect(repo.lifecycle).toBeUndefined();
    expect(repo.force_delete).toBe(true);
  });

  it.each([
    [
      "fails when the name has upper-case letters",
      { repositoryName: "Acme/Service" },
      "repositoryName",
      "Acme/Service",
    ],
    [
      "fails when the name ends with a separator",
      { repositoryName: "acme/service-" },
      "repositoryName",
      "acme/service-",
    ],
    ["fails when the key is not a KMS key ARN", { kmsKeyArn: "alias/aws/ecr" }, "kmsKeyArn", "alias/aws/ecr"],
    [
      "fails when untagged images would expire at once",
      { expireUntaggedAfterDays: 0 },
      "expireUntaggedAfterDays",
      "0",
    ],
    ["fails when no tagged image would be kept", { keepLastTaggedImages: 0 }, "keepLastTaggedImages", "0"],
    ["fails when a count is not an integer", { keepLastTaggedImages: 2.5 }, "keepLastTaggedImages", "2.5"],
  ] as const)("%s", (_name, props, prop, value) => {
    const err = thrownBy(() => synth(props)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain(`Invalid ${prop}: got `);
    expect(err.message).toContain(value);
    expect(err.message).toContain("expected");
  });
});
