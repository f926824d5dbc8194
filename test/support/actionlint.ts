/**
 * The real `actionlint` (built by .ci/steps/actionlint.sh, which exports ACTIONLINT_BIN) with ShellCheck
 * (SHELLCHECK_BIN, Debian's package), which actionlint runs on every `run:` script. Locally a suite without
 * them skips loudly; under CI=true it fails (failWhenMissingInCi).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The version .ci/steps/actionlint.sh pins, for the cache path it builds into. */
const ACTIONLINT_VERSION = "1.7.12";

function onPath(command: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function findActionlint(): string | undefined {
  if (process.env.ACTIONLINT_BIN) return process.env.ACTIONLINT_BIN;
  const cached = join(
    process.env.ACTIONLINT_CACHE_DIR ?? join(homedir(), ".cache", "mlops-kit"),
    `actionlint-${ACTIONLINT_VERSION}`,
    "actionlint",
  );
  return existsSync(cached) ? cached : onPath("actionlint");
}

export const ACTIONLINT = findActionlint();
export const SHELLCHECK = process.env.SHELLCHECK_BIN ?? onPath("shellcheck");

/** Why the suite cannot run, or undefined when both tools are there. */
export const actionlintMissing: string | undefined =
  ACTIONLINT === undefined
    ? "actionlint not found (ACTIONLINT_BIN unset, not built in the cache, not on PATH): bash .ci/steps/actionlint.sh"
    : SHELLCHECK === undefined
      ? "shellcheck not found (SHELLCHECK_BIN unset, not on PATH): bash .ci/steps/actionlint.sh"
      : undefined;

export interface LintResult {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Runs actionlint with ShellCheck on `files` (paths relative to `cwd`, a folder with `.github/workflows`).
 * Exit 0: no finding; 1: findings, one per block in `output`.
 */
export function actionlint(files: readonly string[], cwd: string): LintResult {
  if (!ACTIONLINT || !SHELLCHECK) throw new Error(actionlintMissing);
  const r = spawnSync(ACTIONLINT, ["-no-color", `-shellcheck=${SHELLCHECK}`, "-pyflakes=", ...files], {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/** `owner/repo@<40 hex> # vX.Y.Z`: an action pinned by commit, with the release it is. */
export const PINNED_USES =
  /^(\s*-?\s*uses:\s*)([\w.-]+\/[\w./-]+)@([0-9a-f]{40}) # (v(\d+)(?:\.\d+){0,2})\s*$/;

/**
 * The workflow with each pinned `uses:` rewritten to the major tag its comment names (`docker/build-push-action@v6`),
 * line for line. actionlint knows popular actions' inputs by tag, not by commit: linting this copy checks every
 * `with:` key against the action's inputs, which the pinned form skips.
 */
export function withMajorTags(workflow: string): string {
  return workflow
    .split("\n")
    .map((line) => {
      const m = PINNED_USES.exec(line);
      return m ? `${m[1]}${m[2]}@v${m[5]}` : line;
    })
    .join("\n");
}

/** A GitHub Actions expression, `${{ <e> }}`, as a workflow writes it. */
export const gh = (e: string): string => `\${{ ${e} }}`;
