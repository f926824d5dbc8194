/**
 * The real `promtool` (Debian's prometheus package, installed by .ci/steps/prometheus.sh, which exports
 * PROMTOOL_BIN). Locally a suite without it is skipped loudly; under CI=true it fails.
 */
import { spawnSync } from "node:child_process";
import { describe, it } from "vitest";

function find(): string | undefined {
  const given = process.env.PROMTOOL_BIN;
  if (given) return given;
  const r = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export const PROMTOOL = find();

export interface PromtoolResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs promtool with `args` in `cwd`; stdout and stderr together, for error messages. */
export function promtool(args: readonly string[], cwd: string): PromtoolResult {
  if (PROMTOOL === undefined) throw new Error("promtool not found");
  const r = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/** `describe` that needs promtool: skipped with a banner when it is missing, a failing test under CI=true. */
export function describeWithPromtool(name: string, fn: () => void): void {
  if (PROMTOOL !== undefined) {
    describe(name, fn);
    return;
  }
  const banner = "!".repeat(100);
  console.warn(
    `\n${banner}\n!! SKIPPED "${name}": promtool not found (PROMTOOL_BIN unset, not on PATH).\n!! Install it: bash .ci/steps/prometheus.sh\n${banner}\n`,
  );
  if (process.env.CI === "true") {
    describe(name, () => {
      it("fails when CI=true and promtool is missing", () => {
        throw new Error("CI=true but promtool is missing: .ci/steps/prometheus.sh should have installed it");
      });
    });
    return;
  }
  describe.skip(name, fn);
}
