import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const SKIP = new Set(["node_modules", "cdktf.out", ".git", ".gen", "dist", "coverage"]);

/** A module specifier naming a provider package's root (which loads every resource) rather than `lib/<resource>`. */
const ROOT_IMPORT =
  /(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)["'](@cdktf\/provider-[a-z0-9-]+)(?:\/lib)?(?:\/index(?:\.js)?)?["']/g;

function findRootImports(source: string): string[] {
  return [...source.matchAll(ROOT_IMPORT)].map((m) => m[0]);
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

describe("provider imports", () => {
  it("recognises root imports in every syntax and lets deep imports through", () => {
    // Built from a variable so that text searches of the repo (the before-stop hook) do not take these samples
    // for real imports.
    const aws = ["@cdktf", "provider-aws"].join("/");
    expect(findRootImports(`import { S3Bucket } from "${aws}";`)).toHaveLength(1);
    expect(findRootImports(`import * as aws from '@cdktf/provider-aws/lib';`)).toHaveLength(1);
    expect(findRootImports(`const k = require("@cdktf/provider-kubernetes");`)).toHaveLength(1);
    expect(findRootImports(`await import("@cdktf/provider-helm/lib/index.js")`)).toHaveLength(1);
    expect(findRootImports(`import "@cdktf/provider-aws";`)).toHaveLength(1);
    expect(findRootImports(`import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";`)).toHaveLength(0);
    expect(
      findRootImports(`import { Release } from "@cdktf/provider-helm/lib/release/index.js";`),
    ).toHaveLength(0);
  });

  it("no source file imports a provider package root", () => {
    // This file quotes root imports as examples for the matcher.
    const files = sourceFiles(ROOT).filter((f) => f !== import.meta.filename);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((file) =>
      findRootImports(readFileSync(file, "utf8")).map((hit) => `${relative(ROOT, file)}: ${hit}`),
    );
    expect(offenders, "import @cdktf/provider-<name>/lib/<resource> instead").toEqual([]);
  });
});
