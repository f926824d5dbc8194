import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A real Terraform-compatible binary for tests that run one on local files only: $TERRAFORM_BIN (set by
 * .ci/steps/terraform.sh), else `terraform`, else `tofu` on PATH. Returns the binary and its first version line,
 * or why there is none.
 */
export function findTerraform(): { bin: string; version: string } | { missing: string } {
  const candidates = [process.env.TERRAFORM_BIN, "terraform", "tofu"].filter((c): c is string => !!c);
  for (const bin of candidates) {
    const run = spawnSync(bin, ["version"], {
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    if (run.status === 0) return { bin, version: run.stdout.split("\n")[0] };
  }
  return {
    missing: `no Terraform binary ($TERRAFORM_BIN, terraform or tofu on PATH); .ci/steps/terraform.sh installs one`,
  };
}

export interface TerraformRun {
  readonly status: number | null;
  readonly output: string;
}

/**
 * The environment of a Terraform run in a test: no colour, prompts or version checks, and an empty CLI
 * configuration in `home`, so a developer's plugin cache or credentials cannot change what the test sees.
 */
export function terraformEnv(home: string): NodeJS.ProcessEnv {
  const config = join(home, "terraformrc");
  writeFileSync(config, "");
  return {
    PATH: process.env.PATH,
    HOME: home,
    TF_CLI_CONFIG_FILE: config,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
}

/**
 * Runs the binary in `cwd` without colour, prompts or version checks, and with an empty CLI configuration in
 * `home`, so a developer's plugin cache or credentials cannot change what the test sees.
 */
export function terraform(bin: string, cwd: string, home: string, args: readonly string[]): TerraformRun {
  const run = spawnSync(bin, [...args, "-no-color"], {
    cwd,
    encoding: "utf8",
    env: terraformEnv(home),
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
