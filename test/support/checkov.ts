import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { failWhenMissingInCi } from "./ci";

const ROOT = join(import.meta.dirname, "..", "..");
const SCAN = join(ROOT, ".ci", "checkov", "scan.mjs");

/** The pinned checkov (`$CHECKOV_BIN` or where .ci/steps/checkov.sh installs it), when present. */
export const checkovBin: string | undefined = [
  process.env.CHECKOV_BIN,
  "/opt/mlops-ci/checkov-venv/bin/checkov",
]
  .filter((c): c is string => Boolean(c))
  .find((c) => existsSync(c));

/**
 * Call at module level of a suite that scans with checkov: without checkov a banner says the suite is skipped
 * (use `describe.skipIf(!checkovBin)`), and under CI=true that is a failure instead.
 */
export function requireCheckov(suite: string): void {
  if (!checkovBin) {
    console.warn(
      [
        "",
        "!".repeat(100),
        `!! SKIPPED ${suite}: no checkov ($CHECKOV_BIN or /opt/mlops-ci/checkov-venv/bin/checkov).`,
        "!! Run .ci/steps/checkov.sh (installs the pinned checkov) and set CHECKOV_BIN.",
        "!".repeat(100),
        "",
      ].join("\n"),
    );
  }
  failWhenMissingInCi(suite, !checkovBin && "checkov not found (bash .ci/steps/checkov.sh)");
}

/**
 * Synthesizes the stacks `build` adds to a fresh app into a temp dir and runs the kit's scan
 * (.ci/checkov/scan.mjs, skip list included) over them as `<label>/<stack>`.
 */
export function scanWithCheckov(
  label: string,
  build: (app: App) => void,
  timeout = 240_000,
): SpawnSyncReturns<string> {
  if (!checkovBin) throw new Error("checkov not found (bash .ci/steps/checkov.sh)");
  const outdir = mkdtempSync(join(tmpdir(), `checkov-${label}-`));
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
    return spawnSync(process.execPath, [SCAN, `${label}=${outdir}`], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKOV_BIN: checkovBin },
      timeout,
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
