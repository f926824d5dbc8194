import type { DiffReport, ResourceChange, Section, StackDiff } from "./model";
import { allFlags, countActions, type LocatedFlag } from "./report";

/**
 * The pull-request comment. Order: the verdict, a summary table per stack, the risks, the notices (versions,
 * capacity), the policy delta, then one collapsed `<details>` per stack with its changes. GitHub refuses a
 * comment over 65536 characters: whole stack sections are dropped from the end, with a pointer to the JSON
 * artifact, until it fits. Same report → same text (no times, no absolute paths).
 */

/** GitHub's limit on a comment body. */
export const GITHUB_COMMENT_LIMIT = 65536;

export interface MarkdownOptions {
  /** Characters the text must stay under. @default 60000 (room for a workflow's header and marker) */
  readonly limit?: number;
  /** What to call the JSON artifact in the truncation note. @default "diff.json" */
  readonly artifact?: string;
  /** The risks were accepted (`--allow-risk`): the verdict says so. */
  readonly allowRisk?: boolean;
}

/** Leading marker a workflow finds its sticky comment by. */
export const COMMENT_MARKER = "<!-- mlops-kit-diff -->";

const ACTION_WORD = {
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
  move: "move",
  read: "read",
} as const;

/** Text for a table cell: inline code, pipes and newlines escaped. */
function code(s: string): string {
  const clean = s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "&#124;")
    .replace(/\n/g, "↵");
  return `<code>${clean}</code>`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Message text: flags use `backticks` for names; pipes and newlines would break a table or a list. */
const text = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? 60000;
  const artifact = options.artifact ?? "diff.json";
  const flags = allFlags(report);
  const riskCount = flags.filter((f) => f.level === "risk").length;
  const head: string[] = [
    COMMENT_MARKER,
    `## Infrastructure diff: \`${report.base}\` → \`${report.head}\``,
    "",
  ];
  if (riskCount === 0) head.push("**No risky changes.**");
  else
    head.push(
      `**${plural(riskCount, "risk")} to review**${options.allowRisk ? " (accepted with --allow-risk)" : " (the check fails until they are fixed or accepted)"}.`,
    );
  head.push("");
  // Each stack's section in full (attribute tables) and compact (one line per change), for the budget below.
  const details: { full: string; compact: string }[] = [];
  for (const section of report.sections) {
    head.push(
      ...sectionHead(
        section,
        report.sections.length > 1,
        flags.filter((f) => f.section === section.title),
      ),
    );
    for (const stack of section.stacks) {
      if (stack.changes.length > 0)
        details.push({
          full: stackDetails(section, stack, report.sections.length > 1, changeLines),
          compact: stackDetails(section, stack, report.sections.length > 1, compactLine),
        });
    }
  }
  let out = head.join("\n");
  const note = (n: number) =>
    `\n\n_${plural(n, "stack section")} left out to stay under GitHub's comment limit: the full diff is in the \`${artifact}\` artifact._\n`;
  if (out.length + note(0).length > limit) {
    // Even the summary does not fit: cut it at a line boundary.
    const cut = out.slice(0, limit - note(0).length - 200);
    return `${cut.slice(0, cut.lastIndexOf("\n"))}\n\n_Summary cut to stay under GitHub's comment limit: the full diff is in the \`${artifact}\` artifact._\n`;
  }
  // In order, each stack in full if the rest could still follow compact, else compact, else left out.
  let shown = 0;
  details.forEach((d, i) => {
    const restCompact = details.slice(i + 1).reduce((n, x) => n + x.compact.length + 2, 0);
    const room = limit - out.length - note(details.length - i).length;
    if (d.full.length + 2 + restCompact <= room) out += `\n\n${d.full}`;
    else if (d.compact.length + 2 <= room) out += `\n\n${d.compact}`;
    else return;
    shown++;
  });
  if (shown < details.length) out += note(details.length - shown);
  return `${out.trimEnd()}\n`;
}

function sectionHead(section: Section, titled: boolean, flags: LocatedFlag[]): string[] {
  const out: string[] = [];
  if (titled) out.push(`### ${section.source === "plan" ? "Plan" : "Configuration"}: ${section.title}`, "");
  for (const n of section.notes) out.push(`> ${text(n)}`, "");
  const changed = section.stacks.filter((s) => s.changes.length > 0);
  if (changed.length === 0) out.push("No infrastructure changes.", "");
  else {
    out.push(
      "| stack | create | update | replace | delete | move | read | risks |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const s of section.stacks) {
      const c = countActions(s);
      const r = flags.filter((f) => f.stack === s.name && f.level === "risk").length;
      out.push(
        `| ${s.name} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.move} | ${c.read} | ${r} |`,
      );
    }
    out.push("");
  }
  const list = (title: string, items: LocatedFlag[]) => {
    if (items.length === 0) return;
    out.push(`#### ${title}`, "");
    const max = 100;
    for (const f of items.slice(0, max)) {
      const where = f.kind === "policy" ? code(f.address) : `${f.stack} ${code(f.address)}`;
      out.push(`- ${where}: ${text(f.message)}`);
    }
    if (items.length > max) out.push(`- … and ${items.length - max} more (see the JSON artifact)`);
    out.push("");
  };
  const resourceFlags = flags.filter((f) => f.kind !== "policy" && f.kind !== "checkov");
  list(
    "Risks",
    resourceFlags.filter((f) => f.level === "risk"),
  );
  list(
    "Versions",
    resourceFlags.filter((f) => f.kind === "version"),
  );
  list(
    "Capacity",
    resourceFlags.filter((f) => f.kind === "capacity"),
  );
  list(
    "Other notices",
    resourceFlags.filter((f) => f.level === "notice" && f.kind !== "version" && f.kind !== "capacity"),
  );
  if (section.policy && (section.policy.added.length > 0 || section.policy.removed.length > 0)) {
    out.push(
      "#### Policy delta (rule pack)",
      "",
      "| | rule | level | construct | finding |",
      "|---|---|---|---|---|",
    );
    for (const [sign, fs] of [
      ["added", section.policy.added],
      ["removed", section.policy.removed],
    ] as const) {
      for (const f of fs) {
        const level = f.suppressed ? `${f.level}, suppressed` : f.level;
        out.push(`| ${sign} | ${f.ruleId} | ${level} | ${code(f.path)} | ${text(f.message)} |`);
      }
    }
    out.push("");
  }
  if (section.checkov && (section.checkov.added.length > 0 || section.checkov.removed.length > 0)) {
    out.push("#### Checkov delta", "", "| | check | resource | file |", "|---|---|---|---|");
    for (const [sign, fs] of [
      ["added", section.checkov.added],
      ["removed", section.checkov.removed],
    ] as const)
      for (const f of fs) out.push(`| ${sign} | ${f.checkId} | ${code(f.resource)} | ${code(f.file)} |`);
    out.push("");
  }
  return out;
}

function stackDetails(
  section: Section,
  stack: StackDiff,
  titled: boolean,
  lines: (c: ResourceChange) => string[],
): string {
  const c = countActions(stack);
  const parts = (Object.keys(ACTION_WORD) as (keyof typeof ACTION_WORD)[])
    .filter((a) => c[a] > 0)
    .map((a) => `${c[a]} ${ACTION_WORD[a]}`);
  const outputs = stack.changes.filter((x) => x.mode === "output" || x.mode === "variable").length;
  if (outputs > 0) parts.push(plural(outputs, "output"));
  const label = titled ? `${section.title} · ${stack.name}` : stack.name;
  const out = [`<details><summary><b>${label}</b>: ${parts.join(", ")}</summary>`, ""];
  for (const change of stack.changes) out.push(...lines(change));
  if (lines === compactLine)
    out.push("", "_Attributes left out to stay under GitHub's comment limit: see the JSON artifact._", "");
  out.push("</details>");
  return out.join("\n");
}

/** Attribute rows shown per change; the rest are counted (all of them are in the JSON). */
const MAX_ROWS = 40;

function compactLine(c: ResourceChange): string[] {
  const risky = c.flags.filter((f) => f.level === "risk").length;
  const from = c.from ? `${code(c.from)} → ` : "";
  return [
    `- **${ACTION_WORD[c.action]}** ${from}${code(c.address)}${risky > 0 ? ` (${plural(risky, "risk")})` : ""}`,
  ];
}

function changeLines(c: ResourceChange): string[] {
  const title = c.from ? `${code(c.from)} → ${code(c.address)}` : code(c.address);
  const out = [`**${ACTION_WORD[c.action]}** ${title}${c.path ? ` <sub>${c.path}</sub>` : ""}`, ""];
  for (const f of c.flags)
    out.push(`- ${f.level === "risk" ? "**risk**" : "note"} (${f.kind}): ${text(f.message)}`);
  if (c.flags.length > 0) out.push("");
  // New and removed resources are listed by address only; their attributes are in the JSON.
  const rows = c.action === "create" || c.action === "delete" ? [] : c.attributes;
  if (rows.length > 0) {
    out.push("| attribute | before | after |", "|---|---|---|");
    for (const a of rows.slice(0, MAX_ROWS)) {
      const name = `${code(a.path)}${a.forcesReplacement ? " (forces replacement)" : ""}`;
      out.push(
        `| ${name} | ${a.before === undefined ? "" : code(a.before)} | ${a.after === undefined ? "" : code(a.after)} |`,
      );
    }
    if (rows.length > MAX_ROWS) out.push(`| … ${rows.length - MAX_ROWS} more | | |`);
    out.push("");
  }
  if (c.movedBlock)
    out.push(
      "```hcl",
      c.movedBlock,
      "```",
      "",
      `In cdktf: \`moveFromId("${c.from}")\` on the resource in its new place writes this block.`,
      "",
    );
  return out;
}
