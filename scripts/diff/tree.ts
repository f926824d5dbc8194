import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { InputError } from "./load";

/**
 * A checkout of the base ref beside the working tree (`git worktree add --detach` in a temp dir), with the
 * packages of its own lockfile: the working tree's node_modules linked when the lockfile is unchanged (the
 * common case: a change to code or configuration), `npm ci` otherwise.
 */
export interface BaseTree {
  /** The project root inside the checkout (the same place relative to the repository as the working tree's). */
  readonly root: string;
  /** The commit checked out. */
  readonly commit: string;
  /** How its packages were provided. */
  readonly packages: "linked" | "installed";
  remove(): void;
}

function git(cwd: string, args: readonly string[]): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.error) throw new InputError(`git not runnable: ${r.error.message}`);
  if (r.status !== 0) throw new InputError(`git ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export function checkoutBase(
  projectRoot: string,
  ref: string,
  dir: string,
  log: (l: string) => void,
): BaseTree {
  const top = git(projectRoot, ["rev-parse", "--show-toplevel"]);
  let commit: string;
  try {
    commit = git(projectRoot, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new InputError(
      `--base ${ref}: no such commit in ${top} (a branch, tag or commit; in a shallow clone fetch it first)`,
    );
  }
  git(projectRoot, ["worktree", "add", "--detach", dir, commit]);
  const root = join(dir, relative(top, projectRoot));
  const remove = () => {
    spawnSync("git", ["worktree", "remove", "--force", dir], { cwd: projectRoot });
    rmSync(dir, { recursive: true, force: true });
    spawnSync("git", ["worktree", "prune"], { cwd: projectRoot });
  };
  try {
    const lock = (r: string) =>
      existsSync(join(r, "package-lock.json")) ? readFileSync(join(r, "package-lock.json")) : undefined;
    const here = lock(projectRoot);
    const there = lock(root);
    let packages: BaseTree["packages"];
    if (here && there && here.equals(there) && existsSync(join(projectRoot, "node_modules"))) {
      symlinkSync(join(projectRoot, "node_modules"), join(root, "node_modules"));
      packages = "linked";
    } else {
      log(`base ${ref}: its package-lock.json differs from the working tree's; npm ci in the base checkout`);
      mkdirSync(root, { recursive: true });
      const ci = spawnSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "ignore", "pipe"],
      });
      if (ci.status !== 0)
        throw new InputError(`npm ci in the base checkout of ${ref} failed:\n${ci.stderr}`);
      packages = "installed";
    }
    return { root, commit, packages, remove };
  } catch (err) {
    remove();
    throw err;
  }
}
