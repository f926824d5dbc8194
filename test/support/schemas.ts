import { type TerraformStack, Testing } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import type { ChartPin } from "../../constructs/core/charts";
import {
  formatCheckedCounts,
  formatFailure,
  SCHEMAS_DIR_ENV,
  type StackValidationOptions,
  type StackValidationReport,
  schemaStore,
  schemasAvailable,
  schemasLocation,
  validateSynthesizedStack,
} from "../../scripts/validation";

/** True when `../shared/schemas` (or `$MLOPS_SCHEMAS_DIR`) holds the upstream reference data. */
export const hasSchemas = schemasAvailable();

const tally: Record<string, number> = {};
const unchecked = new Set<string>();
const older = new Set<string>();

/**
 * Adds a report's per-kind counts (and unchecked objects, and releases validated against an older chart
 * version) to what the enclosing `describeWithSchemas` prints.
 */
export function countChecked(
  report: Pick<StackValidationReport, "checked"> & Partial<StackValidationReport>,
): void {
  for (const [kind, n] of Object.entries(report.checked)) tally[kind] = (tally[kind] ?? 0) + n;
  for (const u of report.unchecked ?? [])
    unchecked.add(`${u.constructPath ?? u.address} ${u.kind} "${u.name}": ${u.reason}`);
  for (const o of report.olderReference ?? [])
    older.add(
      `chart of ${o.kind} "${o.name}" pinned ${o.pinned}, validated against reference data ${o.reference}`,
    );
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

/**
 * What a report's `olderReference` must hold for one release of `pin`: nothing when the reference data has the
 * pinned version, else the release named with the pinned and the reference version (read from the data).
 */
export function expectedOlderReference(pin: ChartPin, releaseName = pin.chart): unknown[] {
  const reference = schemaStore().chartByName(pin.chart)?.version;
  return pin.version === reference
    ? []
    : [expect.objectContaining({ name: releaseName, pinned: pin.version, reference })];
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
  if (!hasSchemas && process.env.CI === "true") {
    // In CI a missing tool or data set is a failure, not a skip.
    describe(name, () => {
      it("fails when CI=true and the reference schemas are missing", () => {
        throw new Error(`CI=true but the reference schemas are missing: ${schemasLocation().reason}`);
      });
    });
    return;
  }
  describe.skipIf(!hasSchemas)(name, () => {
    afterAll(() => {
      const kinds = Object.entries(tally).sort(([a], [b]) => a.localeCompare(b));
      for (const line of unchecked) console.warn(`[schemas] ${name}: UNCHECKED ${line}`);
      unchecked.clear();
      for (const line of older) console.warn(`[schemas] ${name}: OLDER REFERENCE ${line}`);
      older.clear();
      if (kinds.length === 0) return;
      console.info(`[schemas] ${name}: ${formatCheckedCounts(Object.fromEntries(kinds))}`);
      for (const [k] of kinds) delete tally[k];
    });
    fn();
  });
}
