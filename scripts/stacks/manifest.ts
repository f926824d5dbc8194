import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/** One stack as cdktf's synth manifest (`<outdir>/manifest.json`) describes it. */
export interface StackInfo {
  readonly name: string;
  /** Stacks this one reads from (cross-stack references and `addDependency`). */
  readonly dependencies: readonly string[];
  /** Where Terraform runs the stack, relative to the output directory (`stacks/<name>`). */
  readonly workingDirectory: string;
  readonly synthesizedStackPath: string;
}

/** The project's cdktf output directory: `output` in cdktf.json, `cdktf.out` when it is not set. */
export function outputDirectory(projectRoot: string): string {
  const file = join(projectRoot, "cdktf.json");
  if (!existsSync(file)) throw new Error(`no cdktf.json in ${projectRoot}: run this from the project root`);
  const output = (JSON.parse(readFileSync(file, "utf8")) as { output?: string }).output ?? "cdktf.out";
  return resolve(projectRoot, output);
}

/** The stacks of a synthesized app, in the manifest's order (the order the app created them). */
export function readStacks(outdir: string): StackInfo[] {
  const file = join(outdir, "manifest.json");
  if (!existsSync(file)) throw new Error(`${file} does not exist: synthesize first`);
  const manifest = JSON.parse(readFileSync(file, "utf8")) as { stacks?: Record<string, Partial<StackInfo>> };
  return Object.entries(manifest.stacks ?? {}).map(([name, s]) => ({
    name,
    dependencies: s.dependencies ?? [],
    workingDirectory: s.workingDirectory ?? join("stacks", name),
    synthesizedStackPath: s.synthesizedStackPath ?? join("stacks", name, "cdk.tf.json"),
  }));
}

/**
 * Deploy order: every stack after the stacks it depends on. Among stacks that are ready at the same time the
 * manifest's order wins, so the order is stable from one synth to the next.
 */
export function deployOrder(stacks: readonly StackInfo[]): StackInfo[] {
  const names = new Set(stacks.map((s) => s.name));
  for (const s of stacks) {
    const unknown = s.dependencies.filter((d) => !names.has(d));
    if (unknown.length > 0)
      throw new Error(`stack ${s.name} depends on ${unknown.join(", ")}, which the manifest does not have`);
  }
  const done = new Set<string>();
  const order: StackInfo[] = [];
  while (order.length < stacks.length) {
    const next = stacks.find((s) => !done.has(s.name) && s.dependencies.every((d) => done.has(d)));
    if (!next) {
      const left = stacks.filter((s) => !done.has(s.name)).map((s) => s.name);
      throw new Error(`the stacks ${left.join(", ")} depend on each other in a cycle`);
    }
    done.add(next.name);
    order.push(next);
  }
  return order;
}

/**
 * Whether a stack has state yet, as far as can be told without Terraform: a local backend's file exists or not
 * (its path is relative to the stack's working directory, as Terraform reads it); any other backend is unknown.
 */
export function localStateOf(outdir: string, stack: StackInfo): "present" | "absent" | "unknown" {
  const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8")) as {
    terraform?: { backend?: Record<string, { path?: string }> };
  };
  const backend = json.terraform?.backend ?? {};
  if (Object.keys(backend).some((type) => type !== "local")) return "unknown";
  // No backend block, or one without a path, is Terraform's default local state.
  const path = backend.local?.path ?? "terraform.tfstate";
  const file = isAbsolute(path) ? path : resolve(outdir, stack.workingDirectory, path);
  return existsSync(file) ? "present" : "absent";
}
