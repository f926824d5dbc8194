import type { PolicyRule } from "../types";

export const ecrImmutableTags: PolicyRule = {
  id: "MLOPS-ECR-001",
  severity: "error",
  message: "ECR repository tags are mutable",
  explanation:
    "With mutable tags a push can move a tag to another build: what a tag named yesterday is not what it names " +
    "today, and a scan result or an approval no longer describes what runs. Set image_tag_mutability = IMMUTABLE " +
    "(the kit's ContainerRepository does) and deploy by digest.",
  appliesTo: ["aws_ecr_repository"],
  check(repo) {
    const mutability = repo.config.image_tag_mutability;
    // Exclusion filters (IMMUTABLE_WITH_EXCLUSION) reopen some tags: only plain IMMUTABLE passes.
    return mutability === "IMMUTABLE"
      ? []
      : [
          {
            detail: `image_tag_mutability is ${JSON.stringify(mutability ?? null)} (the default is MUTABLE)`,
          },
        ];
  },
};
