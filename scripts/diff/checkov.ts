import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
// @ts-expect-error plain ESM script without types: the skip list and the construct path, as CI's scan reads them
import { constructPath, loadSkips } from "../../.ci/checkov/scan.mjs";
import { cmp, InputError } from "./load";
import type { CheckovFinding } from "./model";

/**
 * The checkov delta (`--checkov`): failed checks of each synthesized output, as CI's scan counts them
 * (.ci/checkov/scan.mjs: terraform_json framework, the skip list in .ci/checkov/skips.yaml applied), so the
 * comment shows the checks a change makes fail or pass.
 */

/** The pinned checkov: $CHECKOV_BIN, where .ci/steps/checkov.sh installs it, or `checkov` on PATH. */
export function findCheckov(): string {
  for (const c of [process.env.CHECKOV_BIN, "/opt/mlops-ci/checkov-venv/bin/checkov"])
    if (c && existsSync(c)) return c;
  const which = spawnSync("checkov", ["--version"], { encoding: "utf8" });
  if (which.status === 0) return "checkov";
  throw new InputError(
    "--checkov: checkov not found (bash .ci/steps/checkov.sh installs it; or set CHECKOV_BIN)",
  );
}

interface Skip {
  readonly check: string;
  readonly regexes: readonly RegExp[];
}

/** Failed, not skipped checks of every stack of a synthesized output. */
export function checkovFindings(bin: string, outdir: string): CheckovFinding[] {
  const { skips, problems } = loadSkips() as { skips: Skip[]; problems: string[] };
  if (problems.length > 0)
    throw new InputError(`--checkov: .ci/checkov/skips.yaml is invalid: ${problems.join("; ")}`);
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const out: CheckovFinding[] = [];
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    const dir = join(outdir, dirname(stack.synthesizedStackPath));
    const run = spawnSync(
      bin,
      ["--framework", "terraform_json", "-d", dir, "--skip-download", "--quiet", "-o", "json"],
      {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(run.stdout);
    } catch {
      throw new InputError(
        `--checkov: checkov printed no JSON for ${name} (exit ${run.status}): ${run.stderr.slice(-500)}`,
      );
    }
    const reports = (Array.isArray(parsed) ? parsed : [parsed]) as {
      results?: { failed_checks?: unknown[] };
    }[];
    for (const f of reports.flatMap((r) => r.results?.failed_checks ?? []) as {
      check_id: string;
      resource: string;
    }[]) {
      const path: string = constructPath(f) ?? f.resource;
      if (skips.some((s) => s.check === f.check_id && s.regexes.some((re) => re.test(path)))) continue;
      out.push({ checkId: f.check_id, resource: path, file: name });
    }
  }
  return out;
}

const key = (f: CheckovFinding) => `${f.checkId}|${f.file}|${f.resource}`;

export function checkovDelta(base: readonly CheckovFinding[], head: readonly CheckovFinding[]) {
  const had = new Set(base.map(key));
  const has = new Set(head.map(key));
  const uniq = (xs: CheckovFinding[]) =>
    [...new Map(xs.map((f) => [key(f), f])).values()].sort((a, b) => cmp(key(a), key(b)));
  return {
    added: uniq(head.filter((f) => !had.has(key(f)))),
    removed: uniq(base.filter((f) => !has.has(key(f)))),
  };
}
