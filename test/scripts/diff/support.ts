import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { buildPlatform } from "../../../blueprints/platform-blueprint";
import { parsePlatformConfig } from "../../../config/loader";
import { loadSynthDir } from "../../../scripts/diff/load";
import type { ResourceChange, Section, Snapshot } from "../../../scripts/diff/model";

/** Synthesizes an app into a temp dir (as `cdktf synth` writes it: manifest, annotations, stacks) and reads it. */
export function synthSnapshot(build: (app: App) => void): Snapshot {
  const outdir = mkdtempSync(join(tmpdir(), "mlops-diff-test-"));
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
    return loadSynthDir(outdir, [outdir]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** One stack named `name` with an AWS provider, built by `build`. */
export function oneStack(build: (stack: TerraformStack) => void, name = "demo-dev-foundation"): Snapshot {
  return synthSnapshot((app) => {
    const stack = new TerraformStack(app, name);
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    build(stack);
  });
}

/** The platform of a configuration document, synthesized in-process. */
export function platformSnapshot(doc: unknown): Snapshot {
  return synthSnapshot((app) => {
    buildPlatform(app, parsePlatformConfig(doc, "test"));
  });
}

/** Every change of a section, across stacks, with its stack. */
export function changes(section: Section): (ResourceChange & { stack: string })[] {
  return section.stacks.flatMap((s) => s.changes.map((c) => ({ ...c, stack: s.name })));
}

export function changeAt(section: Section, address: string): ResourceChange {
  const found = changes(section).filter((c) => c.address === address);
  if (found.length !== 1)
    throw new Error(
      `expected one change at ${address}, found ${found.length}: ${changes(section)
        .map((c) => c.address)
        .join(", ")}`,
    );
  return found[0];
}

export const risksOf = (c: ResourceChange) => c.flags.filter((f) => f.level === "risk");
