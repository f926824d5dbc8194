import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  deployOrder,
  localStateOf,
  outputDirectory,
  readStacks,
  type StackInfo,
} from "../../../scripts/stacks/manifest";

const stack = (name: string, ...dependencies: string[]): StackInfo => ({
  name,
  dependencies,
  workingDirectory: `stacks/${name}`,
  synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
});
const names = (stacks: StackInfo[]) => stacks.map((s) => s.name);

describe("deployOrder", () => {
  it("puts every stack after its dependencies, ties in the manifest's order", () => {
    const order = deployOrder([
      stack("team-b", "platform"),
      stack("foundation"),
      stack("resources", "platform", "foundation"),
      stack("platform", "foundation"),
      stack("team-a", "foundation"),
    ]);
    expect(names(order)).toEqual(["foundation", "platform", "team-b", "resources", "team-a"]);
  });

  it("fails when stacks depend on each other in a cycle", () => {
    expect(() => deployOrder([stack("a", "b"), stack("b", "a"), stack("c")])).toThrow(
      "the stacks a, b depend on each other in a cycle",
    );
  });

  it("fails when a dependency is not in the manifest", () => {
    expect(() => deployOrder([stack("platform", "foundation")])).toThrow(
      "stack platform depends on foundation, which the manifest does not have",
    );
  });
});

describe("manifest and state files", () => {
  const root = mkdtempSync(join(tmpdir(), "mlops-manifest-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const outdir = join(root, "cdktf.out");
  const write = (name: string, backend?: unknown) => {
    mkdirSync(join(outdir, "stacks", name), { recursive: true });
    writeFileSync(join(outdir, "stacks", name, "cdk.tf.json"), JSON.stringify({ terraform: { backend } }));
    return stack(name);
  };

  it("reads the output directory from cdktf.json and the stacks from its manifest", () => {
    writeFileSync(join(root, "cdktf.json"), JSON.stringify({ app: "x" }));
    expect(outputDirectory(root)).toBe(outdir);
    writeFileSync(join(root, "cdktf.json"), JSON.stringify({ app: "x", output: "build/out" }));
    expect(outputDirectory(root)).toBe(join(root, "build", "out"));
    mkdirSync(outdir, { recursive: true });
    writeFileSync(
      join(outdir, "manifest.json"),
      JSON.stringify({
        stacks: { f: { dependencies: [] }, p: { dependencies: ["f"], workingDirectory: "stacks/p" } },
      }),
    );
    expect(readStacks(outdir)).toEqual([stack("f"), stack("p", "f")]);
  });

  it("fails when there is no cdktf.json or no manifest", () => {
    expect(() => outputDirectory(join(root, "nowhere"))).toThrow(
      /no cdktf\.json in .*nowhere: run this from the project root/,
    );
    expect(() => readStacks(join(root, "nowhere"))).toThrow(
      /manifest\.json does not exist: synthesize first/,
    );
  });

  it("finds a local state file from the stack's folder, as Terraform does", () => {
    const relative = write("rel", { local: { path: "../../../terraform.rel.tfstate" } });
    expect(localStateOf(outdir, relative)).toBe("absent");
    writeFileSync(join(root, "terraform.rel.tfstate"), "{}");
    expect(localStateOf(outdir, relative)).toBe("present");

    const absolute = write("abs", { local: { path: join(root, "abs.tfstate") } });
    expect(localStateOf(outdir, absolute)).toBe("absent");
    writeFileSync(join(root, "abs.tfstate"), "{}");
    expect(localStateOf(outdir, absolute)).toBe("present");

    // No backend block: Terraform's default terraform.tfstate in the stack's folder.
    const none = write("none");
    expect(localStateOf(outdir, none)).toBe("absent");
    writeFileSync(join(outdir, "stacks", "none", "terraform.tfstate"), "{}");
    expect(localStateOf(outdir, none)).toBe("present");
  });

  it("cannot tell for a remote backend", () => {
    expect(localStateOf(outdir, write("s3", { s3: { bucket: "b", key: "k" } }))).toBe("unknown");
  });
});
