import { type App, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { schemasAvailable, schemasLocation } from "./schema-store";
import {
  formatCheckedCounts,
  formatFailure,
  type StackValidationOptions,
  validateSynthesizedStack,
} from "./stack";

export interface SynthValidationOptions extends StackValidationOptions {
  /** Where each stack's counts go ("[schemas] <stack>: validated N objects: …"). @default console.error */
  readonly log?: (line: string) => void;
}

/** Set to `1` to validate every stack at synth (needs the reference data, see schema-store.ts). */
export const VALIDATE_ENV = "MLOPS_VALIDATE";

/**
 * Adds a construct validation to every stack of `app`: at synth (cdktf runs validations unless the App has
 * `skipValidation`) each stack's Terraform JSON goes through `validateSynthesizedStack`, and every failure
 * becomes a validation error naming the construct path, kind, name and schema error. Unchecked objects are not
 * errors. Returns the number of stacks hooked.
 */
export function enableSynthValidation(app: App | IConstruct, options: SynthValidationOptions = {}): number {
  const log = options.log ?? ((line: string) => console.error(line));
  if (!schemasAvailable()) {
    throw new Error(`synth validation needs the Kubernetes reference schemas: ${schemasLocation().reason}`);
  }
  const stacks = app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  for (const stack of stacks) {
    stack.node.addValidation({
      validate: () => {
        const report = validateSynthesizedStack(stack.toTerraform(), options);
        // Counts on stderr so a synth shows what the reference data covered, not only that nothing failed.
        const name = stack.node.id;
        log(`[schemas] ${name}: ${formatCheckedCounts(report.checked)}`);
        for (const u of report.unchecked)
          log(`[schemas] ${name}: UNCHECKED ${u.kind} "${u.name}": ${u.reason}`);
        if (report.olderReference.length > 0) {
          const older = report.olderReference
            .map((o) => `${o.name} ${o.pinned} vs ${o.reference}`)
            .join(", ");
          log(`[schemas] ${name}: validated against an older reference: ${older}`);
        }
        return report.failures.map(formatFailure);
      },
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
  options: SynthValidationOptions = {},
): boolean {
  if (env[VALIDATE_ENV] !== "1") return false;
  enableSynthValidation(app, options);
  return true;
}
