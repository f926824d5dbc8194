import type { IConstruct } from "constructs";
import { z } from "zod";

/** A reason long enough to say something ("false positive" is not enough on its own, but "SSE-S3 by design" is). */
export const MIN_REASON_LENGTH = 10;

/** One suppression: a rule id, a construct path prefix (whole segments) and why it is acceptable. */
export interface PolicySuppression {
  readonly rule: string;
  readonly path: string;
  readonly reason: string;
}

export const PolicySuppressionSchema = z
  .object({
    rule: z
      .string()
      .regex(/^MLOPS-[A-Z0-9]+-\d{3}$/, "a rule id like MLOPS-S3-001")
      .describe("Rule id, e.g. `MLOPS-S3-005`."),
    path: z
      .string()
      .min(1)
      .describe("Construct path prefix, whole segments, e.g. `acme-prod-foundation/DataLake/RawBucket`."),
    reason: z
      .string()
      .trim()
      .min(MIN_REASON_LENGTH, `a written reason of at least ${MIN_REASON_LENGTH} characters`)
      .describe("Why the finding is acceptable here; listed in the synth summary."),
  })
  .strict();

/** `policy` in the platform configuration. */
export const PolicyConfigSchema = z
  .object({
    suppressions: z
      .array(PolicySuppressionSchema)
      .default([])
      .describe("Policy findings accepted on purpose, each with a written reason."),
  })
  .strict();

export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;

const METADATA_TYPE = "mlops:policy-suppression";

/**
 * Suppresses `ruleId` on `construct` and everything below it, with a written reason (listed in the synth
 * summary). A missing or too short reason throws: an unexplained suppression is itself a policy error.
 */
export function suppress(construct: IConstruct, ruleId: string, reason: string): void {
  if (!/^MLOPS-[A-Z0-9]+-\d{3}$/.test(ruleId)) {
    throw new Error(
      `suppress(${construct.node.path}): rule id ${JSON.stringify(ruleId)} is not a rule id like MLOPS-S3-001`,
    );
  }
  if (typeof reason !== "string" || reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `suppress(${construct.node.path}, ${ruleId}): reason ${JSON.stringify(reason)} is missing or too short; expected a written reason of at least ${MIN_REASON_LENGTH} characters`,
    );
  }
  construct.node.addMetadata(METADATA_TYPE, { rule: ruleId, reason: reason.trim() });
}

/** Suppressions made in code, on any construct under `root`, as path-prefix suppressions. */
export function codeSuppressions(root: IConstruct): PolicySuppression[] {
  const out: PolicySuppression[] = [];
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== METADATA_TYPE) continue;
      const data = m.data as { rule: string; reason: string };
      out.push({ rule: data.rule, path: c.node.path, reason: data.reason });
    }
  }
  return out;
}

/** Whether `path` is `prefix` or below it (whole segments: `a/b` covers `a/b/c`, not `a/bc`). */
export function pathCovers(prefix: string, path: string): boolean {
  const p = prefix.replace(/\/+$/, "");
  return path === p || path.startsWith(`${p}/`);
}
