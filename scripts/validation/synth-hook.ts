import { type App, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { schemasAvailable, schemasLocation } from "./schema-store";
import { formatFailure, type StackValidationOptions, validateSynthesizedStack } from "./stack";

/** Set to `1` to validate every stack at synth (needs the reference data, see schema-store.ts). */
export const VALIDATE_ENV = "MLOPS_VALIDATE";

/**
 * Adds a construct validation to every stack of `app`: at synth (cdktf runs validations unless the App has
 * `skipValidation`) each stack's Terraform JSON goes through `validateSynthesizedStack`, and every failure
 * becomes a validation error naming the construct path, kind, name and schema error. Unchecked objects are not
 * errors. Returns the number of stacks hooked.
 */
export function enableSynthValidation(app: App | IConstruct, options: StackValidationOptions = {}): number {
  if (!schemasAvailable()) {
    throw new Error(`synth validation needs the Kubernetes reference schemas: ${schemasLocation().reason}`);
  }
  const stacks = app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  for (const stack of stacks) {
    stack.node.addValidation({
      validate: () => validateSynthesizedStack(stack.toTerraform(), options).failures.map(formatFailure),
    });
  }
  return stacks.length;
}

/**
 * Enables synth validation when `MLOPS_VALIDATE=1`; otherwise does nothing, so users outside this repository
 * (without the reference data) are unaffected. Call after all stacks are added, before `app.synth()`.
 */
export function enableSynthValidationFromEnv(
  app: App | IConstruct,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env[VALIDATE_ENV] !== "1") return false;
  enableSynthValidation(app);
  return true;
}
