import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { InputError, loadSynthDir } from "./load";
import type { Snapshot } from "./model";

/**
 * Synthesizes a tree with the kit's app (main.ts, as `cdktf synth` runs it) and one configuration (MLOPS_CONFIG;
 * empty for the embedded default) into `outdir`, and reads it. Schema validation stays off: the diff compares
 * what Terraform would get, and the validation gate is its own CI step.
 */
export function synthTree(root: string, config: string, outdir: string): Snapshot {
  mkdirSync(outdir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    CHECKPOINT_DISABLE: "1",
    MLOPS_CONFIG: config,
  };
  delete env.MLOPS_VALIDATE;
  const app = existsSync(join(root, "main.ts")) ? "main.ts" : undefined;
  if (!app) throw new InputError(`${root} has no main.ts (the kit's app): is this the kit's project root?`);
  const run = spawnSync(process.execPath, ["--import", "tsx", app], {
    cwd: root,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0)
    throw new InputError(
      `synth of ${root} (configuration ${config || "embedded default"}) failed (exit ${run.status}):\n${run.stderr.trim()}`,
    );
  return loadSynthDir(outdir, [outdir, root]);
}

/**
 * Where a `--config` file is in each tree: a path inside the project is the same path in the base checkout (so
 * a change to the file is part of the diff); a path outside it is the same file for both.
 */
export function configIn(projectRoot: string, treeRoot: string, config: string): string {
  if (config === "") return "";
  const abs = resolve(projectRoot, config);
  const rel = relative(projectRoot, abs);
  if (rel.startsWith("..") || isAbsolute(rel)) return abs;
  return join(treeRoot, rel);
}
