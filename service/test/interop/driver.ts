/** Runs one of the Python drivers in the interop-clients venv and collects its one-JSON-line-per-case report. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { failWhenMissingInCi } from "../../../test/support/ci";

export const PYTHON = process.env.INTEROP_PYTHON ?? "/opt/mlops-kit/interop-clients-venv/bin/python";

/** Whether the venv is missing; prints the banner (and, under CI=true, adds the failing test) when it is. */
export function clientsMissing(suite: string): boolean {
  const missing = !existsSync(PYTHON);
  if (missing) {
    console.warn(
      `\n${"!".repeat(78)}\n! SKIPPING ${suite}: ${PYTHON} not found\n! install: bash .ci/steps/interop-clients.sh (or set INTEROP_PYTHON)\n${"!".repeat(78)}\n`,
    );
  }
  failWhenMissingInCi(suite, missing && `${PYTHON} not found (bash .ci/steps/interop-clients.sh)`);
  return missing;
}

export interface CaseResult {
  readonly case: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface DriverRun {
  readonly results: CaseResult[];
  readonly stderr: string;
  readonly code: number | null;
}

export function runDriver(script: string, args: string[]): Promise<DriverRun> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [file, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      // One thread each: the machine is shared, and ORT/numpy would otherwise start a pool per core.
      env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
    });
    let out = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const results = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as CaseResult);
      resolve({ results, stderr, code });
    });
  });
}

/**
 * One test that the driver finished and reported exactly `cases` in order (a case it stops reporting fails
 * instead of vanishing), then one test per case. Call inside the suite's describe; `run` is read when the tests
 * run, after beforeAll.
 */
export function itReportsEveryCase(run: () => DriverRun, cases: readonly string[]): void {
  it("the driver ran to the end and reported every case", () => {
    expect(run().code, run().stderr).toBe(0);
    expect(run().results.map((r) => r.case)).toEqual(cases);
  });
  for (const name of cases) {
    it(name, () => {
      const r = run().results.find((x) => x.case === name);
      expect(r, `no result for '${name}'; driver stderr: ${run().stderr}`).toBeDefined();
      expect(r?.ok, r?.detail).toBe(true);
    });
  }
}
