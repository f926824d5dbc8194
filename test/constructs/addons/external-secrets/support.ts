import {
  formatFailure,
  type StackValidationReport,
  validateSynthesizedStack,
} from "../../../../scripts/validation";
import { manifests } from "../../../support/manifests";
import { countChecked, countKind } from "../../../support/schemas";
import type { SynthJson } from "../../../support/synth";
import { ESO_GROUPS, esoShapeErrors } from "./shapes";

export { monitoringStub, probeAddOn, synthAddOns } from "../../../support/addons";
export { type Json, manifests } from "../../../support/manifests";

/**
 * Validates a stack with `scripts/validation`. ESO custom resources have no CRD in the reference data, so
 * the validator fails them with "no CRD schema"; those (and only those) are moved to `unchecked` with that
 * reason and checked instead against the hand-written shapes in `eso-shapes.ts`. Every other failure throws.
 */
export function expectValidWithEso(json: unknown): StackValidationReport & { esoShapesChecked: number } {
  const report = validateSynthesizedStack(json);
  const esoMissing = (f: (typeof report.failures)[number]) =>
    ESO_GROUPS.some((g) => f.error.includes(`no CRD schema for ${g}/`));
  const others = report.failures.filter((f) => !esoMissing(f));
  const eso = report.failures.filter(esoMissing);
  const unchecked = [
    ...report.unchecked,
    ...eso.map((f) => ({ ...f, reason: `${f.error.split(";")[0]} (checked only against eso-shapes.ts)` })),
  ];
  const checked = { ...report.checked };
  for (const f of eso) {
    checked[f.kind] = (checked[f.kind] ?? 1) - 1;
    if (checked[f.kind] === 0) delete checked[f.kind];
  }
  countChecked({ checked, unchecked });
  if (others.length > 0) {
    throw new Error(`${others.length} invalid object(s):\n${others.map(formatFailure).join("\n")}`);
  }
  const m = manifests(json as SynthJson).filter((x) =>
    ESO_GROUPS.some((g) => String(x.apiVersion).startsWith(`${g}/`)),
  );
  const shapeErrors = m.flatMap((x) => esoShapeErrors(x).map((e) => `${x.kind} ${x.metadata?.name}: ${e}`));
  if (shapeErrors.length > 0)
    throw new Error(`ESO resources do not match their shapes:\n${shapeErrors.join("\n")}`);
  for (const x of m) countKind(`${x.kind}(eso-shape)`);
  return { ...report, checked, unchecked, failures: [], esoShapesChecked: m.length };
}
