import { TerraformOutput } from "cdktf";
import { describe, expect, it } from "vitest";
import { ContainerRegistry, type ContainerRegistryProps } from "../../../constructs/registry/registry";
import { thrownBy } from "../../support/errors";
import { resourcesOf, type SynthJson, synthStack } from "../../support/synth";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function synth(props: Partial<ContainerRegistryProps> = {}): SynthJson {
  return synthStack((s) => {
    const registry = new ContainerRegistry(s, "Registry", {
      namePrefix: "acme-dev",
      kmsKeyArn: KEY,
      repositories: {
        "inference-service": {},
        "feature-job": { keepLastTaggedImages: 5, tags: { team: "ml" } },
      },
      tags: { owner: "platform" },
      ...props,
    });
    new TerraformOutput(s, "urls", { value: registry.repositoryUrls });
    new TerraformOutput(s, "arns", { value: registry.repositoryArns });
  });
}

type Repo = { name: string; tags?: Record<string, string>; lifecycle?: unknown };

describe("ContainerRegistry", () => {
  it("creates one repository per name under the platform's namespace, with the registry's and its own tags", () => {
    const repos = Object.values(resourcesOf(synth(), "aws_ecr_repository")) as Repo[];
    expect(repos.map((r) => r.name).sort()).toEqual(["acme-dev/feature-job", "acme-dev/inference-service"]);
    const job = repos.find((r) => r.name === "acme-dev/feature-job");
    expect(job?.tags).toEqual({ owner: "platform", team: "ml" });
    expect(repos.every((r) => JSON.stringify(r.lifecycle) === '{"prevent_destroy":true}')).toBe(true);
  });

  it("maps each name to its own repository's URL and ARN", () => {
    const json = synth();
    const ids = Object.fromEntries(
      Object.entries(resourcesOf(json, "aws_ecr_repository")).map(([id, r]) => [
        (r as Repo).name.split("/")[1],
        id,
      ]),
    );
    const out = json.output as Record<string, { value: Record<string, string> }>;
    for (const name of ["inference-service", "feature-job"]) {
      expect(out.urls.value[name]).toBe(`\${aws_ecr_repository.${ids[name]}.repository_url}`);
      expect(out.arns.value[name]).toBe(`\${aws_ecr_repository.${ids[name]}.arn}`);
    }
  });

  it("creates nothing for no repositories", () => {
    expect(resourcesOf(synth({ repositories: {} }), "aws_ecr_repository")).toEqual({});
  });

  it("fails when a repository name cannot be a construct id, naming it", () => {
    const err = thrownBy(() => synth({ repositories: { "team/service": {} } })) as Error;
    expect(err.message).toContain('Invalid repositories.team/service: got "team/service"');
  });
});
