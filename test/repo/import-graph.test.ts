import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
/** The kit's own code: what the layer rules are about (tests and the service are separate consumers). */
const SOURCES = ["constructs", "config", "blueprints", "stacks", "scripts", "main.ts"];

function tsFiles(path: string, out: string[] = []): string[] {
  if (!existsSync(path)) return out;
  if (statSync(path).isFile()) {
    if (path.endsWith(".ts") && !path.endsWith(".d.ts")) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path)) tsFiles(join(path, entry), out);
  return out;
}

/** The file a relative specifier names (`./x`, `./x.js`, `./x/index`), or undefined for packages. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ""));
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${relative(ROOT, from)}: cannot resolve import ${JSON.stringify(specifier)}`);
}

interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

/**
 * Every import between the kit's files, as the TypeScript compiler reads them: static imports and
 * re-exports (type-only ones too: a type import still couples the layers), `import()` and `require`.
 */
function importEdges(root = ROOT): ImportEdge[] {
  const files = SOURCES.flatMap((s) => tsFiles(join(root, s)));
  return files.flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, "utf8"), true, true)
      .importedFiles.map((f) => resolveSpecifier(file, f.fileName))
      .filter((to): to is string => to !== undefined)
      .map((to) => ({ from: relative(root, file), to: relative(root, to) })),
  );
}

/**
 * A file's folder: `constructs/addons/<name>` or `constructs/<name>` (with everything below it, e.g.
 * `constructs/policy/rules`), otherwise its directory (`config`, `scripts/validation`, `.` for main.ts).
 */
function folderOf(file: string): string {
  const module = /^constructs\/(?:addons\/(?=[^/]+\/))?[^/]+(?=\/)/.exec(file);
  return module ? module[0] : dirname(file);
}

/** Folder → folders it imports from, with one example file edge per pair (to say where a cycle comes from). */
function folderGraph(edges: readonly ImportEdge[]): Map<string, Map<string, ImportEdge>> {
  const graph = new Map<string, Map<string, ImportEdge>>();
  for (const e of edges) {
    const [a, b] = [folderOf(e.from), folderOf(e.to)];
    if (a === b) continue;
    const out = graph.get(a) ?? new Map<string, ImportEdge>();
    if (!out.has(b)) out.set(b, e);
    graph.set(a, out);
  }
  return graph;
}

/** Every elementary cycle's folders, found by depth-first search (one cycle per back edge). */
function folderCycles(graph: Map<string, Map<string, ImportEdge>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "active");
    stack.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (state.get(next) === "active") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** A cycle as lines `a -> b (a/file.ts imports b/other.ts)`. */
function describeCycle(cycle: string[], graph: Map<string, Map<string, ImportEdge>>): string {
  return cycle
    .slice(0, -1)
    .map((folder, i) => {
      const edge = graph.get(folder)?.get(cycle[i + 1]) as ImportEdge;
      return `${folder} -> ${cycle[i + 1]} (${edge.from} imports ${edge.to})`;
    })
    .join("\n  ");
}

describe("import graph", () => {
  const edges = importEdges();
  const graph = folderGraph(edges);

  it("reads imports of every kind", () => {
    const seen = ts
      .preProcessFile(
        [
          'import type { A } from "./a";',
          'export * from "./b";',
          'const c = await import("./c");',
          'import "./d";',
        ].join("\n"),
        true,
        true,
      )
      .importedFiles.map((f) => f.fileName);
    expect(seen.sort()).toEqual(["./a", "./b", "./c", "./d"]);
    expect(edges.length).toBeGreaterThan(100);
  });

  it("takes an add-on's or a construct module's subfolders as part of it", () => {
    expect(folderOf("constructs/addons/kafka/config.ts")).toBe("constructs/addons/kafka");
    expect(folderOf("constructs/addons/index.ts")).toBe("constructs/addons");
    expect(folderOf("constructs/policy/rules/s3.ts")).toBe("constructs/policy");
    expect(folderOf("scripts/validation/ajv.ts")).toBe("scripts/validation");
    expect(folderOf("main.ts")).toBe(".");
  });

  it("finds a cycle between folders and names the files that make it", () => {
    const g = folderGraph([
      { from: "x/a.ts", to: "y/b.ts" },
      { from: "y/b.ts", to: "z/c.ts" },
      { from: "z/c.ts", to: "x/d.ts" },
      { from: "x/a.ts", to: "x/d.ts" },
    ]);
    const cycles = folderCycles(g);
    expect(cycles).toEqual([["x", "y", "z", "x"]]);
    expect(describeCycle(cycles[0], g)).toContain("z -> x (z/c.ts imports x/d.ts)");
  });

  it("has no cycle between folders", () => {
    const cycles = folderCycles(graph).map((c) => describeCycle(c, graph));
    expect(cycles, `import cycles between folders:\n  ${cycles.join("\n\n  ")}`).toEqual([]);
  });

  it("keeps constructs/ below config/, blueprints/, stacks/ and scripts/", () => {
    const upward = edges.filter(
      (e) => e.from.startsWith("constructs/") && /^(config|blueprints|stacks|scripts)\//.test(e.to),
    );
    expect(upward.map((e) => `${e.from} imports ${e.to}`)).toEqual([]);
  });

  it("keeps config/ from importing blueprints/ or stacks/", () => {
    const upward = edges.filter((e) => e.from.startsWith("config/") && /^(blueprints|stacks)\//.test(e.to));
    expect(upward.map((e) => `${e.from} imports ${e.to}`)).toEqual([]);
  });
});
