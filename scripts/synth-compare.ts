import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

/**
 * Proof that a refactor changed no Terraform: synthesizes the embedded default configuration, every example
 * configuration and every example app, here and at a base revision (a temporary git worktree), and compares the
 * JSON byte for byte. Construct ids are public API, so a refactor that renames one shows up here as a diff.
 *
 *   npx tsx scripts/synth-compare.ts [--base REV] [--keep DIR]
 *
 * `--base` defaults to HEAD (so the working tree's uncommitted change is what is checked). Exit 0 when every file
 * is identical, 1 with the differing files and the first differing JSON path of each, 2 on a failed synth.
 */

const ROOT = resolve(import.meta.dirname, "..");

class SynthFailed extends Error {}

interface Target {
  readonly name: string;
  readonly app: string;
  readonly config?: string;
}

function targets(root: string): Target[] {
  const list: Target[] = [{ name: "default", app: "main.ts", config: "" }];
  const configs = join(root, "examples", "configs");
  for (const f of readdirSync(configs).sort()) {
    if (/\.(ya?ml|json)$/.test(f))
      list.push({ name: `config-${f}`, app: "main.ts", config: join(configs, f) });
  }
  const apps = join(root, "examples");
  for (const d of readdirSync(apps).sort()) {
    const main = join(apps, d, "main.ts");
    if (d !== "configs" && existsSync(main)) list.push({ name: `app-${d}`, app: relative(root, main) });
    // An example folder with its own configuration (examples/byo-cluster/config.yaml).
    const config = ["config.yaml", "config.yml", "config.json"].map((f) => join(apps, d, f)).find(existsSync);
    if (d !== "configs" && config) list.push({ name: `config-${d}`, app: "main.ts", config });
  }
  return list;
}

/** Synthesizes every target of the tree at `root` into `out/<target>/`; returns the relative file list. */
function synthTree(root: string, out: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const t of targets(root)) {
    const dir = join(out, t.name);
    mkdirSync(dir, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: dir, CHECKPOINT_DISABLE: "1" };
    env.MLOPS_CONFIG = t.config ?? "";
    delete env.MLOPS_VALIDATE;
    const run = spawnSync(process.execPath, ["--import", "tsx", t.app], { cwd: root, env, encoding: "utf8" });
    // Thrown, not exited, so the temporary worktree is removed on the way out.
    if (run.status !== 0)
      throw new SynthFailed(`synth of ${t.name} failed in ${root} (exit ${run.status}):\n${run.stderr}`);
    for (const f of walk(dir)) {
      if (f.endsWith(".tf.json")) files.set(join(t.name, relative(dir, f)), f);
    }
  }
  return files;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The first JSON path at which two documents differ, for a readable report. */
function firstDifference(a: unknown, b: unknown, path = "$"): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${path}: ${JSON.stringify(a)?.slice(0, 120)} -> ${JSON.stringify(b)?.slice(0, 120)}`;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (d) return d;
  }
  return `${path}: key order differs`;
}

/** A file's text with its tree's absolute path (the local backend's state path holds it) made relative. */
const text = (p: string, root: string) => readFileSync(p, "utf8").split(root).join("<tree>");
const sha = (p: string, root: string) => createHash("sha256").update(text(p, root)).digest("hex");

function main(): void {
  const args = process.argv.slice(2);
  const base = args.includes("--base") ? args[args.indexOf("--base") + 1] : "HEAD";
  const keep = args.includes("--keep") ? resolve(args[args.indexOf("--keep") + 1]) : undefined;
  const work = keep ?? mkdtempSync(join(tmpdir(), "synth-compare-"));
  mkdirSync(work, { recursive: true });

  const baseTree = join(work, "base-tree");
  rmSync(baseTree, { recursive: true, force: true });
  const add = spawnSync("git", ["worktree", "add", "--detach", baseTree, base], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (add.status !== 0) {
    process.stderr.write(`git worktree add ${base} failed: ${add.stderr}\n`);
    process.exit(2);
  }
  try {
    // The base tree uses this tree's installed packages: a refactor changes code, not dependencies.
    symlinkSync(join(ROOT, "node_modules"), join(baseTree, "node_modules"));
    const before = synthTree(baseTree, join(work, "base"));
    const after = synthTree(ROOT, join(work, "head"));
    const problems: string[] = [];
    for (const [name, file] of before) {
      const other = after.get(name);
      if (!other) problems.push(`${name}: missing after the change`);
      else if (sha(file, baseTree) !== sha(other, ROOT)) {
        const diff = firstDifference(JSON.parse(text(file, baseTree)), JSON.parse(text(other, ROOT)));
        problems.push(`${name}: differs (${diff})`);
      }
    }
    for (const name of after.keys()) if (!before.has(name)) problems.push(`${name}: new after the change`);
    const report = [
      `synth-compare: ${before.size} files at ${base}, ${after.size} in the working tree`,
      ...(problems.length === 0 ? ["identical, byte for byte"] : problems.map((p) => `  - ${p}`)),
    ].join("\n");
    writeFileSync(join(work, "report.txt"), `${report}\n`);
    process.stdout.write(`${report}\n`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  } catch (err) {
    if (!(err instanceof SynthFailed)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  } finally {
    spawnSync("git", ["worktree", "remove", "--force", baseTree], { cwd: ROOT });
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main();
