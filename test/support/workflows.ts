import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A step of a GitHub Actions job, as the YAML parser reads it. */
export interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface WorkflowJob {
  name?: string;
  if?: string;
  needs?: string[];
  environment?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: WorkflowStep[];
}

/** The job's steps that use `action` (owner/repo, whatever the pin). */
export const usesAction = (job: WorkflowJob, action: string): WorkflowStep[] =>
  job.steps.filter((s) => s.uses?.split("@")[0] === action);

/**
 * A stand-in `npm` in `<work>/bin` for running CI scripts: appends its arguments to $NPM_LOG; `npm run plan`
 * exits $NPM_PLAN_STATUS; anything else writes mlops-diff/diff.md as the diff would (unless $NPM_NO_REPORT) and
 * exits $NPM_STATUS. Returns the bin folder.
 */
export function stubNpm(work: string): string {
  const bin = join(work, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "npm"),
    [
      "#!/usr/bin/env bash",
      'printf "%s\\n" "$*" >>"$NPM_LOG"',
      'if [ "$2" = plan ]; then exit "$NPM_PLAN_STATUS"; fi',
      'if [ -z "$NPM_NO_REPORT" ]; then mkdir -p mlops-diff && echo "### diff" >mlops-diff/diff.md; fi',
      'exit "$NPM_STATUS"',
      "",
    ].join("\n"),
  );
  chmodSync(join(bin, "npm"), 0o755);
  return bin;
}

let runs = 0;

/**
 * Runs `script` as a CI runner runs a step (bash -e -o pipefail, no profile) in `cwd`, with the stand-in npm of
 * `bin` first on PATH. Returns the exit status, stdout and the npm calls, one per line.
 */
export function runCiScript(
  script: string | undefined,
  options: { cwd: string; bin: string; scratch: string; env?: Record<string, string> },
): { status: number | null; stdout: string; npm: string } {
  const dir = join(options.scratch, `script-${process.pid}-${++runs}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "script.sh"), script ?? "");
  writeFileSync(join(dir, "npm.log"), "");
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", join(dir, "script.sh")], {
    cwd: options.cwd,
    encoding: "utf8",
    env: {
      PATH: `${options.bin}:${process.env.PATH}`,
      NPM_LOG: join(dir, "npm.log"),
      NPM_STATUS: "0",
      NPM_PLAN_STATUS: "0",
      NPM_NO_REPORT: "",
      ...options.env,
    },
  });
  return { status: r.status, stdout: r.stdout, npm: readFileSync(join(dir, "npm.log"), "utf8") };
}
