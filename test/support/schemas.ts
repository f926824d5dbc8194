import { afterAll, describe } from "vitest";
import {
  SCHEMAS_DIR_ENV,
  type StackValidationReport,
  schemasAvailable,
  schemasLocation,
} from "../../constructs/validation";

/** True when `../shared/schemas` (or `$MLOPS_SCHEMAS_DIR`) holds the upstream reference data. */
export const hasSchemas = schemasAvailable();

const tally: Record<string, number> = {};

/** Adds a report's per-kind counts to the tally printed after the enclosing `describeWithSchemas`. */
export function countChecked(report: Pick<StackValidationReport, "checked">): void {
  for (const [kind, n] of Object.entries(report.checked)) tally[kind] = (tally[kind] ?? 0) + n;
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
