import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { checkovDelta, checkovFindings, findCheckov } from "./checkov";
import { InputError, loadSynthDir } from "./load";
import { renderMarkdown } from "./markdown";
import type { DiffReport, Section, Snapshot } from "./model";
import { planSection } from "./plan";
import { diffSection, EXIT, exitStatus, risks } from "./report";
import { FORCE_NEW_SOURCE } from "./stateful";
import { configIn, synthTree } from "./synth";
import { checkoutBase } from "./tree";
import { stableStringify } from "./values";

export const DIFF_USAGE = `usage: npm run diff -- --base REF [--config FILE ...] [--out DIR] [--allow-risk] [--plan-json [STACK=]FILE ...]
       npm run diff -- --plan-json [STACK=]FILE ... [--out DIR] [--allow-risk]
       npm run diff -- --base-synth DIR --head-synth DIR [--out DIR] [--allow-risk]

The offline diff: no credentials, no state. Synthesizes REF (a git worktree of it, in a temp dir) and the working
tree with the same configuration(s), compares them per stack, resource address and attribute, and writes
  DIR/diff.md    the pull-request comment (also printed on stdout), under GitHub's 65536-character limit
  DIR/diff.json  the whole diff (format mlops-kit-diff/1), for the workflow's artifact
Same input, same bytes. Sensitive values are redacted in both.

options:
  --base REF           the commit to compare with (branch, tag, sha; e.g. origin/main, HEAD~1)
  --config FILE        a configuration to synthesize both trees with (repeatable; each is its own section).
                       A path inside the project is read from each tree (a change to the file is part of the
                       diff); default: MLOPS_CONFIG, else the embedded default
  --plan-json [STACK=]FILE
                       summarize a saved plan (terraform show -json PLANFILE) of one stack (repeatable); STACK
                       defaults to the file name without .json. With --base, the plan is one more section
  --base-synth DIR, --head-synth DIR
                       compare two synthesized outputs (cdktf.out directories) instead of synthesizing
  --out DIR            where diff.md and diff.json go (default: mlops-diff)
  --checkov            also the checkov delta: checks the change makes fail or pass (CI's skip list applied;
                       needs checkov: $CHECKOV_BIN or .ci/steps/checkov.sh); a newly failing check is a risk
  --allow-risk         report risks but exit 0 (what a workflow passes when the override label is set)
  --limit N            characters the Markdown stays under (default 60000)
  --keep               keep the temp dir (base checkout, synthesized outputs) and print where it is
  -h, --help           print this text

exit status: 0 no risk (or --allow-risk); 1 a risky change: a stateful resource removed or replaced, a
             security boundary widened, a moved stateful resource without a moved block, a new rule-pack
             warning or error; 2 usage or input error (unknown flag, unknown ref, failed synth, bad plan JSON)`;

class UsageError extends InputError {}

export interface DiffOptions {
  readonly base?: string;
  readonly configs: readonly string[];
  readonly plans: readonly string[];
  readonly baseSynth?: string;
  readonly headSynth?: string;
  readonly out: string;
  readonly allowRisk: boolean;
  readonly limit: number;
  readonly keep: boolean;
  readonly checkov: boolean;
}

/** Flags that only the offline diff has: `npm run diff` with one of them runs it instead of cdktf's plans. */
export const OFFLINE_FLAGS = [
  "--base",
  "--plan-json",
  "--base-synth",
  "--head-synth",
  "--config",
  "--out",
  "--allow-risk",
  "--limit",
  "--keep",
  "--checkov",
];

export function parseDiffArgs(argv: readonly string[]): DiffOptions | "help" {
  if (argv.includes("-h") || argv.includes("--help")) return "help";
  const configs: string[] = [];
  const plans: string[] = [];
  const single: Record<string, string | undefined> = {};
  let allowRisk = false;
  let keep = false;
  let checkov = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "" || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--allow-risk" && inline === undefined) allowRisk = true;
    else if (flag === "--keep" && inline === undefined) keep = true;
    else if (flag === "--checkov" && inline === undefined) checkov = true;
    else if (flag === "--config") configs.push(value());
    else if (flag === "--plan-json") plans.push(value());
    else if (["--base", "--base-synth", "--head-synth", "--out", "--limit"].includes(flag)) {
      if (single[flag] !== undefined) throw new UsageError(`${flag} given twice`);
      single[flag] = value();
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const base = single["--base"];
  const baseSynth = single["--base-synth"];
  const headSynth = single["--head-synth"];
  if ((baseSynth === undefined) !== (headSynth === undefined))
    throw new UsageError("--base-synth and --head-synth go together");
  if (baseSynth !== undefined && (base !== undefined || configs.length > 0))
    throw new UsageError(
      "--base-synth/--head-synth compare two outputs already synthesized: leave out --base and --config",
    );
  if (base === undefined && baseSynth === undefined && plans.length === 0)
    throw new UsageError(
      "nothing to compare: give --base REF, --base-synth/--head-synth, or --plan-json FILE",
    );
  if (configs.length > 0 && base === undefined)
    throw new UsageError("--config needs --base (the configurations are synthesized at both)");
  const limitText = single["--limit"] ?? "60000";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 2000 || limit > 65536)
    throw new UsageError(`--limit ${limitText}: expected a whole number of characters from 2000 to 65536`);
  if (checkov && base === undefined && baseSynth === undefined)
    throw new UsageError("--checkov scans synthesized outputs: give --base REF or --base-synth/--head-synth");
  return {
    base,
    configs,
    plans,
    baseSynth,
    headSynth,
    out: single["--out"] ?? "mlops-diff",
    allowRisk,
    limit,
    keep,
    checkov,
  };
}

const say = (line: string) => process.stderr.write(`==> ${line}\n`);

/** Builds the report (synthesizing what is needed); temp dirs are removed unless `keep`. */
export function buildReport(options: DiffOptions, projectRoot: string): DiffReport {
  const sections: Section[] = [];
  const bin = options.checkov ? findCheckov() : "";
  /** The section, with the checkov delta of its two outputs when asked for (`undefined`: no base output). */
  const withCheckov = (section: Section, baseDir: string | undefined, headDir: string): Section => {
    if (!options.checkov) return section;
    say(`checkov: ${section.title}`);
    const base = baseDir ? checkovFindings(bin, baseDir) : [];
    return { ...section, checkov: checkovDelta(base, checkovFindings(bin, headDir)) };
  };
  let baseLabel = "plan";
  let headLabel = "plan";
  if (options.baseSynth && options.headSynth) {
    baseLabel = options.baseSynth;
    headLabel = options.headSynth;
    const [b, h] = [resolve(projectRoot, options.baseSynth), resolve(projectRoot, options.headSynth)];
    const load = (d: string) => loadSynthDir(d, [d, projectRoot]);
    sections.push(withCheckov(diffSection("synthesized outputs", load(b), load(h), [forceNewNote()]), b, h));
  }
  if (options.base) {
    const work = mkdtempSync(join(tmpdir(), "mlops-diff-"));
    try {
      say(`checking out ${options.base} in ${options.keep ? work : "a temp dir"}`);
      const tree = checkoutBase(projectRoot, options.base, join(work, "base-tree"), say);
      try {
        baseLabel = `${options.base} (${tree.commit.slice(0, 12)})`;
        headLabel = "working tree";
        const configs = options.configs.length > 0 ? options.configs : [process.env.MLOPS_CONFIG ?? ""];
        configs.forEach((config, i) => {
          const title = config === "" ? "default" : config;
          const notes: string[] = [forceNewNote()];
          const baseConfig = configIn(projectRoot, tree.root, config);
          const headConfig = configIn(projectRoot, projectRoot, config);
          if (headConfig !== "" && !existsSync(headConfig))
            throw new InputError(`--config ${config}: no such file in the working tree`);
          say(`synth ${options.base}: configuration ${title}`);
          let base: Snapshot;
          let baseDir: string | undefined = join(work, `base-${i}`);
          if (baseConfig !== "" && !existsSync(baseConfig)) {
            baseDir = undefined;
            notes.push(
              `The configuration ${config} does not exist at ${options.base}: everything in it is new.`,
            );
            base = { stacks: [], findings: [] };
          } else base = synthTree(tree.root, baseConfig, baseDir);
          say(`synth working tree: configuration ${title}`);
          const headDir = join(work, `head-${i}`);
          const head = synthTree(projectRoot, headConfig, headDir);
          sections.push(withCheckov(diffSection(title, base, head, notes), baseDir, headDir));
        });
      } finally {
        if (!options.keep) tree.remove();
      }
    } finally {
      if (options.keep) say(`kept ${work}`);
      else rmSync(work, { recursive: true, force: true });
    }
  }
  if (options.plans.length > 0)
    sections.push(planSection(options.plans.map((p) => resolvePlan(projectRoot, p))));
  return { format: "mlops-kit-diff/1", base: baseLabel, head: headLabel, sections };
}

const resolvePlan = (root: string, arg: string) => {
  const eq = arg.indexOf("=");
  return eq > 0 ? `${arg.slice(0, eq)}=${resolve(root, arg.slice(eq + 1))}` : resolve(root, arg);
};

function forceNewNote(): string {
  const v = Object.entries(FORCE_NEW_SOURCE)
    .map(([p, s]) => `${p} ${s.version}`)
    .join(", ");
  return `Offline diff of the synthesized Terraform: replacements are inferred from scripts/diff/force-new.json (${v}); a plan is the final word.`;
}

/** The JSON artifact: the report, its risks and the exit status the diff returned. */
export function reportJson(report: DiffReport, allowRisk: boolean): string {
  const r = risks(report);
  return `${stableStringify({ ...report, risks: r.length, allowRisk, exitStatus: exitStatus(report, allowRisk) }, 2)}\n`;
}

export function runDiff(argv: readonly string[], projectRoot: string): number {
  let options: DiffOptions | "help";
  try {
    options = parseDiffArgs(argv);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${DIFF_USAGE}\n`);
    return EXIT.usage;
  }
  if (options === "help") {
    process.stdout.write(`${DIFF_USAGE}\n`);
    return EXIT.ok;
  }
  try {
    const report = buildReport(options, projectRoot);
    const markdown = renderMarkdown(report, { limit: options.limit, allowRisk: options.allowRisk });
    const out = resolve(projectRoot, options.out);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "diff.md"), markdown);
    writeFileSync(join(out, "diff.json"), reportJson(report, options.allowRisk));
    process.stdout.write(markdown);
    const status = exitStatus(report, options.allowRisk);
    const n = risks(report).length;
    say(
      `wrote ${join(options.out, "diff.md")} and ${join(options.out, "diff.json")}: ${n} risk(s)` +
        (n > 0
          ? options.allowRisk
            ? ", accepted (--allow-risk)"
            : ", exit 1 (pass --allow-risk to accept)"
          : ""),
    );
    return status;
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
