import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface StackSummary {
  readonly name: string;
  readonly file: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly byType: Readonly<Record<string, number>>;
}

/** Reads what `app.synth()` wrote: the manifest and each stack's Terraform JSON. */
export function summarizeOutput(outdir: string): StackSummary[] {
  const manifestPath = join(outdir, "manifest.json");
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    stacks: Record<string, { name: string; synthesizedStackPath: string }>;
  };
  return Object.values(manifest.stacks).map((s) => {
    const file = join(outdir, s.synthesizedStackPath);
    const json = JSON.parse(readFileSync(file, "utf8")) as {
      resource?: Record<string, Record<string, unknown>>;
      data?: Record<string, Record<string, unknown>>;
    };
    const byType: Record<string, number> = {};
    let resources = 0;
    for (const [type, items] of Object.entries(json.resource ?? {})) {
      byType[type] = Object.keys(items).length;
      resources += byType[type];
    }
    const dataSources = Object.values(json.data ?? {}).reduce((n, items) => n + Object.keys(items).length, 0);
    return { name: s.name, file, resources, dataSources, byType };
  });
}

export function formatSummary(
  stacks: readonly StackSummary[],
  outdir: string,
  extra: readonly string[] = [],
): string {
  const lines: string[] = [];
  const total = stacks.reduce((n, s) => n + s.resources, 0);
  lines.push(
    `Synthesized ${stacks.length} stack(s), ${total} resources, into ${relative(process.cwd(), outdir) || outdir}/`,
  );
  for (const s of stacks) {
    lines.push(
      `  ${s.name}: ${s.resources} resources, ${s.dataSources} data sources -> ${relative(process.cwd(), s.file)}`,
    );
    const types = Object.entries(s.byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    for (const [type, n] of types) lines.push(`      ${String(n).padStart(3)}  ${type}`);
  }
  lines.push(...extra);
  return lines.join("\n");
}
