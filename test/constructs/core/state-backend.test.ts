import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localStatePath, PROJECT_ROOT_FROM_STACK_DIR } from "../../../constructs/core/state-backend";
import { synthPlatform } from "../../support/platform";

type RemoteState = Record<string, { backend: string; config: { path?: string } }>;

describe("local state path", () => {
  it("resolves a relative path from the stack's folder (cdktf.out/stacks/<stack>) to the project root", () => {
    expect(PROJECT_ROOT_FROM_STACK_DIR).toBe("../../..");
    expect(localStatePath("terraform.{stack}.tfstate", "acme-dev-foundation")).toBe(
      "../../../terraform.acme-dev-foundation.tfstate",
    );
    expect(localStatePath("./state/{stack}/terraform.{stack}.tfstate", "s")).toBe(
      "../../../state/s/terraform.s.tfstate",
    );
    expect(localStatePath("../shared-state/{stack}.tfstate", "s")).toBe("../../../../shared-state/s.tfstate");
  });

  it("keeps an absolute path as it is", () => {
    expect(localStatePath("/var/lib/mlops/{stack}.tfstate", "s")).toBe("/var/lib/mlops/s.tfstate");
    expect(localStatePath("C:\\state\\{stack}.tfstate", "s")).toBe("C:\\state\\s.tfstate");
  });

  it("gives every stack's backend and every remote-state read of it the same machine-independent path", () => {
    const synth = synthPlatform();
    const backendPath = (name: string) =>
      (synth.stacks[name].terraform as { backend: { local: { path: string } } }).backend.local.path;
    const names = Object.keys(synth.stacks);
    expect(names).toHaveLength(3);
    for (const name of names) expect(backendPath(name)).toBe(`../../../terraform.${name}.tfstate`);
    const reads = Object.values(synth.stacks).flatMap((json) =>
      Object.entries((json.data?.terraform_remote_state ?? {}) as RemoteState),
    );
    // platform reads foundation; resources reads foundation and platform.
    expect(reads).toHaveLength(3);
    for (const [id, read] of reads) {
      const producer = id.replace("cross-stack-reference-input-", "");
      expect(read).toMatchObject({ backend: "local", config: { path: backendPath(producer) } });
    }
  });
});

describe("local state files in the project root", () => {
  it("are ignored by git, backups and lock info too (state holds secrets)", () => {
    const files = [
      "terraform.acme-prod-foundation.tfstate",
      "terraform.acme-prod-foundation.tfstate.backup",
      "terraform.acme-prod-foundation.tfstate.1764720000.backup",
      "state/acme-prod-platform.tfstate",
      ".terraform.tfstate.lock.info",
    ];
    const root = join(import.meta.dirname, "..", "..", "..");
    const run = spawnSync("git", ["check-ignore", "--no-index", ...files], { cwd: root, encoding: "utf8" });
    expect(run.stdout.trim().split("\n").sort()).toEqual([...files].sort());
  });
});
