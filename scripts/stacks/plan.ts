import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join, relative, resolve } from "node:path";
import { runCli, UsageError } from "./cli";
import { deployOrder, localStateOf, outputDirectory, readStacks } from "./manifest";

/**
 * `npm run plan`: a saved Terraform plan per stack, in deploy order, as JSON for the offline diff's
 * `--plan-json` (the pull-request workflow's plan job). `npm run diff` plans through cdktf, which prints plans
 * for people and saves none; this runs Terraform itself in each synthesized stack's folder.
 */

const USAGE = `usage: npm run plan -- [--out DIR] [--skip-synth]

Synthesizes the app once (MLOPS_CONFIG names the configuration), then for each stack in deploy order
(foundation, platform, resources, team stacks) runs terraform init, terraform plan -lock=false -out and
terraform show -json in cdktf.out/stacks/<stack>, and writes
  DIR/<stack>.json   the plan as JSON (terraform show -json): it holds sensitive values in clear, keep it
                     out of artifacts; npm run diff -- --plan-json redacts them
  DIR/plans.txt      one <stack>=DIR/<stack>.json per line, in deploy order: the --plan-json arguments
A stack whose upstream stack has no state yet cannot be planned: the run stops there and keeps the plans made.
The plans do not take the state lock (a speculative plan; the role needs read access only).

options:
  --out DIR       where the plans go (default: mlops-plan; emptied first)
  --skip-synth    use the cdktf.out already synthesized
  -h, --help      print this text

environment: TERRAFORM_BINARY_NAME  the Terraform CLI (default: terraform), as cdktf reads it

exit status: 0 every stack planned; 1 the synth, an init, a plan or a show failed; 2 bad arguments;
             3 stopped at a stack that cannot be planned yet (the plans before it are written)`;

const EXIT = { failed: 1, usage: 2, notPlannable: 3 } as const;

interface Options {
  readonly out: string;
  readonly skipSynth: boolean;
}

function parseArgs(argv: readonly string[]): Options | "help" {
  if (argv.includes("-h") || argv.includes("--help")) return "help";
  let out = "mlops-plan";
  let skipSynth = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s) : [argv[i]];
    if (flag === "--skip-synth" && inline === undefined) skipSynth = true;
    else if (flag === "--out") {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "" || v.startsWith("-")) throw new UsageError("--out needs a directory");
      out = v;
    } else throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}`);
  }
  return { out, skipSynth };
}

const say = (line: string) => process.stderr.write(`\n==> ${line}\n`);

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly output: string;
}

function exec(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  echo = true,
): Run {
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `${command} not found on PATH` : r.error.message);
  }
  if (echo) process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return { status: r.status ?? 1, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

async function run(options: Options, root: string): Promise<number> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [process.env.PATH, join(root, "node_modules", ".bin")].join(delimiter),
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
  };
  const terraform = process.env.TERRAFORM_BINARY_NAME || "terraform";
  const outdir = outputDirectory(root);
  if (!options.skipSynth) {
    say(`synth (configuration: ${process.env.MLOPS_CONFIG || "the embedded default"})`);
    const synth = spawnSync("cdktf", ["synth"], { cwd: root, env, stdio: "inherit" });
    if (synth.status !== 0) {
      say(`synth failed (exit ${synth.status ?? synth.error?.message}): nothing was planned`);
      return EXIT.failed;
    }
  }
  const stacks = deployOrder(readStacks(outdir));
  const out = resolve(root, options.out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const listed: string[] = [];
  const list = () => writeFileSync(join(out, "plans.txt"), listed.map((l) => `${l}\n`).join(""));
  list();
  say(`plan: ${stacks.map((s) => s.name).join(" -> ")}`);
  for (const [i, stack] of stacks.entries()) {
    const notRun = stacks.slice(i + 1).map((s) => s.name);
    const rest = notRun.length > 0 ? `; not planned: ${notRun.join(", ")}` : "";
    const stopped = (upstream: readonly string[]) => {
      say(
        `plan stopped: stack ${stack.name} cannot be planned yet: it reads outputs of ${upstream.join(", ")}, ` +
          `without state (not deployed yet)${rest}`,
      );
      return EXIT.notPlannable;
    };
    const absent = stack.dependencies.filter(
      (d) => localStateOf(outdir, stacks.find((s) => s.name === d) ?? stack) === "absent",
    );
    if (absent.length > 0) return stopped(absent);
    say(`plan ${stack.name} (${i + 1}/${stacks.length})`);
    const cwd = join(outdir, stack.workingDirectory);
    const planFile = join(out, `${stack.name}.tfplan`);
    const steps: [string, string[]][] = [
      ["init", ["init", "-input=false", "-no-color"]],
      ["plan", ["plan", "-input=false", "-lock=false", "-no-color", `-out=${planFile}`]],
    ];
    for (const [name, args] of steps) {
      const r = exec(terraform, args, cwd, env);
      if (r.status === 0) continue;
      // A remote-state read that found nothing (S3 state, which cannot be checked before planning).
      if (name === "plan" && /No stored state was found/.test(r.output)) return stopped(stack.dependencies);
      say(`terraform ${name} of stack ${stack.name} failed (exit ${r.status})${rest}`);
      return EXIT.failed;
    }
    const show = exec(terraform, ["show", "-json", "-no-color", planFile], cwd, env, false);
    if (show.status !== 0) {
      say(`terraform show -json of stack ${stack.name} failed (exit ${show.status})${rest}`);
      return EXIT.failed;
    }
    const json = join(out, `${stack.name}.json`);
    writeFileSync(json, show.stdout);
    rmSync(planFile, { force: true });
    listed.push(`${stack.name}=${relative(root, json)}`);
    list();
  }
  say(
    `plan: done (${stacks.length} stack${stacks.length === 1 ? "" : "s"}), listed in ${join(options.out, "plans.txt")}`,
  );
  return 0;
}

process.exitCode = await runCli(process.argv.slice(2), USAGE, parseArgs, run);
