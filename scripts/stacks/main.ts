import { spawn } from "node:child_process";
import { delimiter, join } from "node:path";
import { runCli, UsageError } from "./cli";
import { deployOrder, localStateOf, outputDirectory, readStacks, type StackInfo } from "./manifest";

/**
 * `npm run deploy | destroy | diff`: the kit's stacks one at a time in dependency order. cdktf's own deploy
 * takes stacks together and its diff takes one, and a stack can only be planned once the stacks it reads from
 * exist; this synthesizes once, then runs `cdktf <command> <stack> --skip-synth` stack by stack.
 */

const COMMANDS = ["deploy", "destroy", "diff"] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `usage: npm run deploy|destroy|diff -- [options]
       npx tsx scripts/stacks/main.ts deploy|destroy|diff [options]

Synthesizes the app once (MLOPS_CONFIG names the configuration), reads the stacks and their dependencies
from cdktf.out/manifest.json, then runs cdktf on one stack at a time: deploy and diff in dependency order
(foundation, platform, resources), destroy in the reverse order. Stops at the first stack that fails.

options:
  --auto-approve   deploy, destroy: apply without asking (passed to cdktf); without it cdktf asks per stack
  --stack NAME     only this stack (repeatable); NAME is the stack's name or its last part, e.g. platform.
                   Nothing checks that destroy --stack leaves no later stack reading the destroyed one
  --from NAME      this stack and every stack after it in the command's order (to resume after a failure)
  --skip-synth     use the cdktf.out already synthesized instead of synthesizing again
  --migrate-state  let each stack's terraform init move its state to a changed backend (passed to cdktf)
  -h, --help       print this text

exit status: 0 done; 1 the synth or a stack failed; 2 bad arguments;
             3 diff stopped at a stack that cannot be planned yet because a stack it reads from has no state

npm run diff with --base REF (or --plan-json, --base-synth/--head-synth) runs the offline diff instead
(scripts/diff): no credentials, no state; npm run diff -- --base REF --help for its options.`;

/** Exit statuses, also in USAGE. */
const EXIT = { failed: 1, usage: 2, notPlannable: 3 } as const;

interface Options {
  readonly command: Command;
  readonly autoApprove: boolean;
  readonly stacks: readonly string[];
  readonly from?: string;
  readonly skipSynth: boolean;
  readonly migrateState: boolean;
}

function parseArgs(argv: readonly string[]): Options | "help" {
  if (argv.includes("-h") || argv.includes("--help")) return "help";
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as Command))
    throw new UsageError(`expected a command (${COMMANDS.join(", ")}) first; got ${show(command)}`);
  let autoApprove = false;
  let skipSynth = false;
  let migrateState = false;
  let from: string | undefined;
  const stacks: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined || v === "" || v.startsWith("-"))
        throw new UsageError(`${flag} needs a stack name`);
      return v;
    };
    if (flag === "--auto-approve" && inline === undefined) {
      if (command === "diff")
        throw new UsageError("--auto-approve is for deploy and destroy; diff applies nothing");
      autoApprove = true;
    } else if (flag === "--skip-synth" && inline === undefined) skipSynth = true;
    else if (flag === "--migrate-state" && inline === undefined) migrateState = true;
    else if (flag === "--stack") stacks.push(value());
    else if (flag === "--from") {
      if (from !== undefined) throw new UsageError("--from given twice");
      from = value();
    } else throw new UsageError(`unknown argument ${show(arg)}`);
  }
  if (from !== undefined && stacks.length > 0)
    throw new UsageError(
      "--stack and --from do not go together: --stack picks stacks, --from a starting point",
    );
  return { command: command as Command, autoApprove, stacks, from, skipSynth, migrateState };
}

const show = (v: string | undefined) => (v === undefined ? "nothing" : JSON.stringify(v));

/** A stack by its full name, or by its last part (`platform` for `acme-prod-platform`) when that is unique. */
function findStack(stacks: readonly StackInfo[], name: string): StackInfo {
  const exact = stacks.find((s) => s.name === name);
  if (exact) return exact;
  const bySuffix = stacks.filter((s) => s.name.endsWith(`-${name}`));
  if (bySuffix.length === 1) return bySuffix[0];
  const known = stacks.map((s) => s.name).join(", ");
  const why = bySuffix.length > 1 ? `matches ${bySuffix.map((s) => s.name).join(", ")}` : "is no stack";
  throw new UsageError(`${show(name)} ${why}; the stacks are: ${known}`);
}

/** The stacks the command runs, in the order it runs them. */
function selectStacks(all: readonly StackInfo[], options: Options): StackInfo[] {
  const ordered = deployOrder(all);
  if (options.command === "destroy") ordered.reverse();
  if (options.from !== undefined) {
    const start = findStack(all, options.from);
    return ordered.slice(ordered.indexOf(start));
  }
  if (options.stacks.length === 0) return ordered;
  const picked = new Set(options.stacks.map((n) => findStack(all, n)));
  return ordered.filter((s) => picked.has(s));
}

interface RunResult {
  readonly status: number;
  /** Terraform's "No stored state was found" appeared: a remote-state read found nothing to read. */
  readonly missingState: boolean;
}

/**
 * Runs cdktf with the terminal attached (deploy asks for approval on it). With `watch`, stdout and stderr pass
 * through a pipe instead, so Terraform's message for a missing upstream state can be recognized.
 */
function cdktf(args: readonly string[], env: NodeJS.ProcessEnv, watch: boolean): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn("cdktf", args, { env, stdio: watch ? ["inherit", "pipe", "pipe"] : "inherit" });
    let missingState = false;
    let tail = "";
    const forward = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
      out.write(chunk);
      // A short tail of the previous chunk, so a message split across two chunks is still seen.
      tail = (tail + chunk.toString("utf8")).slice(-4096);
      if (/No stored state was found/.test(tail)) missingState = true;
    };
    child.stdout?.on("data", forward(process.stdout));
    child.stderr?.on("data", forward(process.stderr));
    child.on("error", (err: NodeJS.ErrnoException) =>
      fail(
        err.code === "ENOENT" ? new Error("cdktf not found on PATH: run npm ci in the project first") : err,
      ),
    );
    child.on("close", (code, signal) => done({ status: code ?? (signal ? 128 : 1), missingState }));
  });
}

function say(line: string): void {
  process.stderr.write(`\n==> ${line}\n`);
}

async function run(options: Options, root: string): Promise<number> {
  // Outside `npm run`, the project's own cdktf is found after anything earlier on PATH.
  const env = {
    ...process.env,
    PATH: [process.env.PATH, join(root, "node_modules", ".bin")].join(delimiter),
  };
  const outdir = outputDirectory(root);
  if (!options.skipSynth) {
    say(`synth (configuration: ${process.env.MLOPS_CONFIG || "the embedded default"})`);
    const synth = await cdktf(["synth"], env, false);
    if (synth.status !== 0) {
      say(
        `synth failed (exit ${synth.status}): nothing was ${options.command === "diff" ? "planned" : "changed"}`,
      );
      return EXIT.failed;
    }
  }
  const all = readStacks(outdir);
  const stacks = selectStacks(all, options);
  say(`${options.command}: ${stacks.map((s) => s.name).join(" -> ")}`);
  for (const [i, stack] of stacks.entries()) {
    const after = stacks.slice(i + 1).map((s) => s.name);
    const notRun = after.length > 0 ? `; not run: ${after.join(", ")}` : "";
    if (options.command !== "destroy") {
      // Upstream stacks deployed earlier in this run are there; others may never have been deployed.
      const ranBefore = new Set(options.command === "deploy" ? stacks.slice(0, i).map((s) => s.name) : []);
      const absent = stack.dependencies.filter(
        (d) => !ranBefore.has(d) && localStateOf(outdir, findStack(all, d)) === "absent",
      );
      if (absent.length > 0) {
        say(notPlannable(options.command, stack.name, absent, notRun));
        return options.command === "diff" ? EXIT.notPlannable : EXIT.failed;
      }
    }
    say(`${options.command} ${stack.name} (${i + 1}/${stacks.length})`);
    const args = [options.command, stack.name, "--skip-synth"];
    if (options.command !== "diff") args.push("--ignore-missing-stack-dependencies");
    if (options.autoApprove) args.push("--auto-approve");
    if (options.migrateState) args.push("--migrate-state");
    const result = await cdktf(args, env, options.command === "diff");
    if (result.status === 0) continue;
    if (options.command === "diff" && result.missingState) {
      // Terraform does not say which upstream stack it found empty.
      const which = stack.dependencies.length === 1 ? "which has" : "one of which has";
      say(notPlannable(options.command, stack.name, stack.dependencies, notRun, which));
      return EXIT.notPlannable;
    }
    const resume = `npm run ${options.command} -- --from ${stack.name}`;
    say(
      `${options.command} of stack ${stack.name} failed (cdktf exit ${result.status})${notRun}. Resume: ${resume}`,
    );
    return EXIT.failed;
  }
  say(`${options.command}: done (${stacks.length} stack${stacks.length === 1 ? "" : "s"})`);
  return 0;
}

/** Why a stack cannot be planned: `which` of its upstream stacks have no state. */
function notPlannable(
  command: Command,
  stack: string,
  upstream: readonly string[],
  notRun: string,
  which = upstream.length === 1 ? "which has" : "which have",
): string {
  const them = upstream.length === 1 ? "it" : "them";
  return (
    `${command} stopped: stack ${stack} cannot be planned yet: it reads outputs of ${upstream.join(", ")}, ` +
    `${which} no state (not deployed yet)${notRun}. ` +
    `Deploy ${them} first: npm run deploy -- --stack ${upstream.join(" --stack ")}`
  );
}

process.exitCode = await runCli(process.argv.slice(2), USAGE, parseArgs, run);
