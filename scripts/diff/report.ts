import { analyzeStacks } from "./analyze";
import { compareSnapshots } from "./compare";
import { cmp, findingKey } from "./load";
import {
  ACTIONS,
  type Action,
  type DiffReport,
  type Flag,
  type PolicyDelta,
  type PolicyFinding,
  type Section,
  type Snapshot,
  type StackDiff,
} from "./model";

/** The offline diff of one configuration: two snapshots → a report section. */
export function diffSection(
  title: string,
  base: Snapshot,
  head: Snapshot,
  notes: readonly string[] = [],
): Section {
  return {
    title,
    source: "synth",
    stacks: analyzeStacks(compareSnapshots(base, head)),
    policy: policyDelta(base.findings, head.findings),
    notes,
  };
}

/** Findings the change adds and removes (matched by rule, construct path, level, message and suppression). */
export function policyDelta(base: readonly PolicyFinding[], head: readonly PolicyFinding[]): PolicyDelta {
  const had = new Set(base.map(findingKey));
  const has = new Set(head.map(findingKey));
  const sort = (xs: PolicyFinding[]) => xs.sort((a, b) => cmp(findingKey(a), findingKey(b)));
  return {
    added: sort(head.filter((f) => !had.has(findingKey(f)))),
    removed: sort(base.filter((f) => !has.has(findingKey(f)))),
  };
}

export interface LocatedFlag extends Flag {
  readonly section: string;
  readonly stack: string;
  readonly address: string;
}

/** Every flag of the report with where it is, in report order. */
export function allFlags(report: DiffReport): LocatedFlag[] {
  const out: LocatedFlag[] = [];
  for (const s of report.sections) {
    for (const st of s.stacks)
      for (const c of st.changes)
        for (const f of c.flags) out.push({ ...f, section: s.title, stack: st.name, address: c.address });
    for (const f of s.policy?.added ?? []) {
      // A new unsuppressed warning or error of the rule pack is a risk; info and suppressed ones are notices.
      const level = f.level !== "info" && !f.suppressed ? "risk" : "notice";
      out.push({
        kind: "policy",
        level,
        message: `new ${f.level} ${f.ruleId}: ${f.message}`,
        section: s.title,
        stack: "",
        address: f.path,
      });
    }
    for (const f of s.checkov?.added ?? [])
      out.push({
        kind: "checkov",
        level: "risk",
        message: `new failed check ${f.checkId}`,
        section: s.title,
        stack: f.file,
        address: f.resource,
      });
  }
  return out;
}

export const risks = (report: DiffReport) => allFlags(report).filter((f) => f.level === "risk");

export type Counts = Record<Action, number>;

export function countActions(stack: StackDiff): Counts {
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Counts;
  for (const c of stack.changes) if (c.mode === "managed" || c.mode === "data") counts[c.action]++;
  return counts;
}

/** Exit statuses of the offline diff (also in its usage text). */
export const EXIT = { ok: 0, risky: 1, usage: 2 } as const;

/** 1 when the report has a risk and it was not accepted (`--allow-risk`), else 0. */
export const exitStatus = (report: DiffReport, allowRisk: boolean) =>
  risks(report).length > 0 && !allowRisk ? EXIT.risky : EXIT.ok;
