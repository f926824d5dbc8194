import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { OFFLINE_FLAGS, runDiff } from "./cli";

/**
 * `npm run diff`: with a flag of the offline diff (--base, --plan-json, --base-synth/--head-synth, --config,
 * --out, --allow-risk, ...) the offline diff; without one, as before, `cdktf diff` of each stack in deploy
 * order (scripts/stacks/main.ts diff), which needs credentials and the upstream stacks' state.
 */
const argv = process.argv.slice(2);
if (argv.some((a) => OFFLINE_FLAGS.includes(a.split("=")[0]))) {
  process.exitCode = runDiff(argv, process.cwd());
} else {
  const stacks = join(import.meta.dirname, "..", "stacks", "main.ts");
  const run = spawnSync(process.execPath, ["--import", "tsx", stacks, "diff", ...argv], { stdio: "inherit" });
  process.exitCode = run.status ?? 1;
}
