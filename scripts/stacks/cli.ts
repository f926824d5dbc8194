/** What the stack commands (main.ts: deploy, destroy, diff; plan.ts) share: argument errors and the entry point. */

/** A bad argument: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/**
 * Parses `argv` and runs the command in the current directory. Exit status: the command's; 0 for `--help`
 * (the usage on stdout); 2 for a UsageError (with the usage on stderr); 1 for any other error (its message).
 */
export async function runCli<O>(
  argv: readonly string[],
  usage: string,
  parse: (argv: readonly string[]) => O | "help",
  run: (options: O, root: string) => Promise<number>,
): Promise<number> {
  try {
    const options = parse(argv);
    if (options === "help") {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    return await run(options, process.cwd());
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${usage}\n`);
      return 2;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
