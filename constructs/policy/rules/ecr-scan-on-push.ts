import type { PolicyRule } from "../types";
import { isTrue, path } from "../values";

export const ecrScanOnPush: PolicyRule = {
  id: "MLOPS-ECR-003",
  severity: "error",
  message: "ECR repository does not scan images on push",
  explanation:
    "Without scanning a known-vulnerable base image or dependency goes unnoticed until it runs. Set " +
    "image_scanning_configuration { scan_on_push = true } (basic scanning; enhanced scanning with Amazon " +
    "Inspector is an account-level setting on top of it).",
  appliesTo: ["aws_ecr_repository"],
  check(repo) {
    const scan = path(repo.config, "image_scanning_configuration", "scan_on_push");
    return isTrue(scan)
      ? []
      : [{ detail: `image_scanning_configuration.scan_on_push is ${JSON.stringify(scan ?? null)}` }];
  },
};
