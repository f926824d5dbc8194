import { type TerraformStack, Testing } from "cdktf";
import { afterAll, describe } from "vitest";
import {
  formatFailure,
  SCHEMAS_DIR_ENV,
  type StackValidationOptions,
  type StackValidationReport,
  schemasAvailable,
  schemasLocation,
  validateSynthesizedStack,
} from "../../scripts/validation";

/** True when `../shared/schemas` (or `$MLOPS_SCHEMAS_DIR`) holds the upstream reference data. */
export const hasSchemas = schemasAvailable();

const tally: Record<string, number> = {};
const unchecked = new Set<string>();

/** Adds a report's per-kind counts (and unchecked objects) to what the enclosing `describeWithSchemas` prints. */
export function countChecked(
  report: Pick<StackValidationReport, "checked"> & Partial<StackValidationReport>,
): void {
  for (const [kind, n] of Object.entries(report.checked)) tally[kind] = (tally[kind] ?? 0) + n;
  for (const u of report.unchecked ?? [])
    unchecked.add(`${u.constructPath ?? u.address} ${u.kind} "${u.name}": ${u.reason}`);
}

/** A stack's Terraform JSON with the `//` metadata (construct paths) that `Testing.synth` strips. */
export function synthWithPaths(stack: TerraformStack): Record<string, unknown> {
  Testing.synth(stack); // runs aspects, as a real synth does
  return stack.toTerraform() as Record<string, unknown>;
}

/**
 * Validates a synthesized stack, counts what was checked, and throws one error listing every failure
 * (construct path, kind, name, schema error). Returns the report for further assertions (e.g. on `unchecked`).
 */
export function expectValidStack(json: unknown, options?: StackValidationOptions): StackValidationReport {
  const report = validateSynthesizedStack(json, options);
  countChecked(report);
  if (report.failures.length > 0) {
    throw new Error(
      `${report.failures.length} invalid object(s):\n${report.failures.map(formatFailure).join("\n")}`,
    );
  }
  return report;
}

/** Counts one object validated outside the stack walker (e.g. a direct `validateCustomResource` call). */
export function countKind(kind: string, n = 1): void {
  tally[kind] = (tally[kind] ?? 0) + n;
}

/**
 * `describe` that needs the reference data. When it is absent the block is skipped loudly: a banner names the
 * dirs tried and the env var to set. Afterwards it prints how many objects of each kind were validated.
 */
export function describeWithSchemas(name: string, fn: () => void): void {
  if (!hasSchemas) {
    const { reason, tried } = schemasLocation();
    console.warn(
      [
        "",
        "!".repeat(100),
        `!! SKIPPED "${name}": Kubernetes/Helm reference schemas not found.`,
        `!! ${reason}`,
        `!! Looked in: ${tried.join(", ")}`,
        `!! Set ${SCHEMAS_DIR_ENV}=/path/to/shared/schemas (the dir holding index.json) to run these tests.`,
        "!".repeat(100),
        "",
      ].join("\n"),
    );
  }
  describe.skipIf(!hasSchemas)(name, () => {
    afterAll(() => {
      const kinds = Object.entries(tally).sort(([a], [b]) => a.localeCompare(b));
      for (const line of unchecked) console.warn(`[schemas] ${name}: UNCHECKED ${line}`);
      unchecked.clear();
      if (kinds.length === 0) return;
      const total = kinds.reduce((sum, [, n]) => sum + n, 0);
      console.info(
        `[schemas] ${name}: validated ${total} objects: ${kinds.map(([k, n]) => `${k}=${n}`).join(", ")}`,
      );
      for (const [k] of kinds) delete tally[k];
    });
    fn();
  });
}
