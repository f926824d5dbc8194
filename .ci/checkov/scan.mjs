// Runs checkov over every synthesized stack of the given cdktf output dirs, applies .ci/checkov/skips.yaml
// (per construct path, each with a reason), prints passed/failed/skipped per stack and in total, and exits 1
// when any failed check is not covered by the skip list (2 when the skip list itself is invalid).
// Usage: node .ci/checkov/scan.mjs <label>=<cdktf outdir> [...]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";

const here = dirname(new URL(import.meta.url).pathname);
const checkov = process.env.CHECKOV_BIN || "checkov";

export function loadSkips(file = join(here, "skips.yaml")) {
  const doc = parse(readFileSync(file, "utf8"));
  const problems = [];
  const skips = (doc?.skips ?? []).map((s, i) => {
    const where = `skips[${i}] (${s?.check ?? "?"})`;
    if (!/^CKV2?_[A-Z0-9]+_\d+$/.test(String(s?.check)))
      problems.push(`${where}: check must be a checkov id`);
    if (!["false-positive", "trade-off"].includes(s?.kind))
      problems.push(`${where}: kind must be false-positive or trade-off, got ${JSON.stringify(s?.kind)}`);
    if (typeof s?.reason !== "string" || s.reason.trim().length < 40)
      problems.push(`${where}: reason must explain the skip (at least 40 characters)`);
    if (!Array.isArray(s?.paths) || s.paths.length === 0)
      problems.push(`${where}: paths must list path regexes`);
    const paths = [];
    for (const p of s?.paths ?? []) {
      try {
        paths.push(new RegExp(p));
      } catch (e) {
        problems.push(`${where}: path ${JSON.stringify(p)} is not a regex: ${e.message}`);
      }
    }
    return { ...s, regexes: paths, used: 0 };
  });
  return { skips, problems };
}

/** The construct path cdktf wrote into the resource's `//` metadata, from checkov's code block. */
export function constructPath(result) {
  for (const [, line] of result.code_block ?? []) {
    const m = /"path":\s*"([^"]+)"/.exec(String(line));
    if (m) return m[1];
  }
  return undefined;
}

function scanStack(dir) {
  const run = spawnSync(
    checkov,
    ["--framework", "terraform_json", "-d", dir, "--skip-download", "--quiet", "-o", "json"],
    {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (run.error)
    throw new Error(
      `cannot run ${checkov}: ${run.error.message} (run .ci/steps/checkov.sh, set CHECKOV_BIN)`,
    );
  let out;
  try {
    out = JSON.parse(run.stdout);
  } catch {
    throw new Error(`checkov printed no JSON for ${dir} (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  }
  const reports = Array.isArray(out) ? out : [out];
  const failed = reports.flatMap((r) => r.results?.failed_checks ?? []);
  const passed = reports.reduce((n, r) => n + (r.summary?.passed ?? 0), 0);
  const skipped = reports.reduce((n, r) => n + (r.summary?.skipped ?? 0), 0);
  const parsingErrors = reports.reduce((n, r) => n + (r.summary?.parsing_errors ?? 0), 0);
  return { failed, passed, skipped, parsingErrors };
}

function main(args) {
  const { skips, problems } = loadSkips();
  if (problems.length > 0) {
    console.error(`invalid .ci/checkov/skips.yaml:\n  ${problems.join("\n  ")}`);
    return 2;
  }
  const version = spawnSync(checkov, ["--version"], { encoding: "utf8" }).stdout?.trim();
  console.log(`checkov ${version} (terraform_json), skip list: ${skips.length} entries`);
  const total = { passed: 0, failed: 0, skipped: 0 };
  const failures = [];
  for (const arg of args) {
    const [label, outdir] = arg.includes("=") ? arg.split("=", 2) : [arg, arg];
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    for (const stack of Object.values(manifest.stacks)) {
      const dir = join(outdir, dirname(stack.synthesizedStackPath));
      const r = scanStack(dir);
      let skipped = r.skipped;
      let failed = 0;
      for (const f of r.failed) {
        const path = constructPath(f) ?? f.resource;
        const skip = skips.find((s) => s.check === f.check_id && s.regexes.some((re) => re.test(path)));
        if (skip) {
          skip.used++;
          skipped++;
          continue;
        }
        failed++;
        failures.push(`  ${label} ${stack.name}: ${f.check_id} ${f.resource} (${path}): ${f.check_name}`);
      }
      if (r.parsingErrors > 0) {
        failed += r.parsingErrors;
        failures.push(`  ${label} ${stack.name}: ${r.parsingErrors} parsing error(s)`);
      }
      total.passed += r.passed;
      total.failed += failed;
      total.skipped += skipped;
      console.log(
        `  ${`${label}/${stack.name}`.padEnd(60)} passed ${String(r.passed).padStart(4)}  failed ${String(failed).padStart(3)}  skipped ${String(skipped).padStart(3)}`,
      );
    }
  }
  console.log(`checkov total: passed ${total.passed}, failed ${total.failed}, skipped ${total.skipped}`);
  for (const s of skips.filter((x) => x.used === 0))
    console.log(`note: skip ${s.check} ${s.paths.join(", ")} matched nothing in this run`);
  if (failures.length > 0) {
    console.error(
      `checkov: ${failures.length} failed check(s) not in .ci/checkov/skips.yaml:\n${failures.join("\n")}`,
    );
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.slice(2)));
