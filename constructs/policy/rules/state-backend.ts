import { isProductionEnvironment } from "../../core/environment";
import type { PolicyRule } from "../types";
import { isObject, isTrue } from "../values";

export const stateBackend: PolicyRule = {
  id: "MLOPS-STATE-002",
  severity: "error",
  message: "Terraform state is not stored encrypted and locked",
  explanation:
    "State holds every resource's attributes, secrets included, and concurrent applies corrupt it. Use the S3 " +
    "backend with encrypt = true and locking (use_lockfile = true, or a dynamodb_table). A local backend is an " +
    "info-level finding outside prod (a laptop experiment) and an error in prod (no shared locking, no " +
    "encryption, lost with the machine).",
  appliesTo: ["stack"],
  check(stack, ctx) {
    const backend = isObject(stack.config.backend) ? stack.config.backend : {};
    const [type, raw] = Object.entries(backend)[0] ?? ["local", {}];
    const cfg = isObject(raw) ? raw : {};
    if (type === "local") {
      return [
        {
          detail: "local backend: state is unencrypted, unlocked and lives on one machine",
          severity: isProductionEnvironment(ctx.environment) ? "error" : "info",
        },
      ];
    }
    if (type !== "s3") return []; // remote/cloud backends (HCP Terraform) encrypt and lock themselves
    const out = [];
    if (!isTrue(cfg.encrypt)) out.push({ detail: "s3 backend without encrypt = true" });
    if (!isTrue(cfg.use_lockfile) && typeof cfg.dynamodb_table !== "string")
      out.push({ detail: "s3 backend without locking (use_lockfile = true or dynamodb_table)" });
    return out;
  },
};
