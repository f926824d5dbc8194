// A stand-in for the cdktf CLI on PATH (test/scripts/stacks/main.test.ts): appends one JSON line per call
// (argv, cwd, MLOPS_CONFIG) to $FAKE_CDKTF_LOG. `synth` runs the app named in ./cdktf.json into its output dir,
// as cdktf does; any other command succeeds unless its stack is $FAKE_CDKTF_FAIL (exit 1) or
// $FAKE_CDKTF_NO_STATE (Terraform's message for a remote-state read with nothing to read, exit 1).
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const argv = process.argv.slice(2);
appendFileSync(
  process.env.FAKE_CDKTF_LOG,
  `${JSON.stringify({ argv, cwd: process.cwd(), mlopsConfig: process.env.MLOPS_CONFIG ?? null })}\n`,
);

const [command, stack] = argv;
if (command === "synth") {
  const config = JSON.parse(readFileSync("cdktf.json", "utf8"));
  const outdir = resolve(config.output ?? "cdktf.out");
  const run = spawnSync(config.app, {
    shell: true,
    stdio: "inherit",
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
  process.exit(run.status ?? 1);
}
if (stack !== undefined && stack === process.env.FAKE_CDKTF_FAIL) {
  process.stderr.write(`Error: fake failure of ${stack}\n`);
  process.exit(1);
}
if (stack !== undefined && stack === process.env.FAKE_CDKTF_NO_STATE) {
  process.stdout.write(`${stack}  Error: Unable to find remote state\n`);
  process.stdout.write(`${stack}  No stored state was found for the given workspace in the given backend.\n`);
  process.exit(1);
}
process.stdout.write(`fake cdktf ${argv.join(" ")}\n`);
