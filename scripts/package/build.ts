import { readFileSync, rmSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/**
 * Builds the package into dist/: JavaScript (ES modules) and type declarations, one file per source file, from
 * tsconfig.build.json. The sources import each other without extensions (`moduleResolution: Bundler`, run by
 * tsx and vitest), which Node's ESM loader cannot resolve, so the emit rewrites every relative specifier to the
 * file TypeScript itself resolved it to (`./eks-cluster` → `./eks-cluster.js`, `../core` → `../core/index.js`),
 * in the JavaScript and in the declarations alike (a consumer with `moduleResolution: nodenext` needs both).
 * A specifier TypeScript cannot resolve fails the build instead of shipping a broken import.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BUILD_TSCONFIG = resolve(ROOT, "tsconfig.build.json");
export const DIST = resolve(ROOT, "dist");

const EMITTED_EXTENSION: Readonly<Record<string, string>> = {
  ".ts": ".js",
  ".tsx": ".js",
  ".mts": ".mjs",
  ".d.ts": ".js",
  ".json": ".json",
};

function emittedExtension(file: string): string {
  for (const ext of [".d.ts", ".ts", ".tsx", ".mts", ".json"]) {
    if (file.endsWith(ext)) return ext;
  }
  return "";
}

const exportsMaps = new Map<string, boolean>();

/**
 * A bare specifier with a subpath into a package without an `exports` map (the prebuilt cdktf providers:
 * `@cdktf/provider-aws/lib/provider`): Node's ESM loader resolves no directory index and adds no extension
 * there, so the emit names the file. Packages with an `exports` map resolve their subpaths themselves.
 */
function isDeepImportWithoutExports(spec: string): boolean {
  if (spec.startsWith("node:") || spec.startsWith(".") || spec.startsWith("/")) return false;
  const parts = spec.split("/");
  const nameLength = spec.startsWith("@") ? 2 : 1;
  if (parts.length <= nameLength) return false;
  const name = parts.slice(0, nameLength).join("/");
  let hasExports = exportsMaps.get(name);
  if (hasExports === undefined) {
    const manifest = JSON.parse(readFileSync(resolve(ROOT, "node_modules", name, "package.json"), "utf8"));
    hasExports = manifest.exports !== undefined;
    exportsMaps.set(name, hasExports);
  }
  return !hasExports;
}

/** The specifier Node's ESM loader needs for `spec`, imported from `fromFile`; `undefined` when it stays as written. */
function nodeSpecifier(
  spec: string,
  fromFile: string,
  options: ts.CompilerOptions,
  problems: string[],
): string | undefined {
  const relativeSpec = spec.startsWith("./") || spec.startsWith("../");
  if (!relativeSpec && !isDeepImportWithoutExports(spec)) return undefined;
  const resolved = ts.resolveModuleName(spec, fromFile, options, ts.sys).resolvedModule;
  if (!resolved) {
    problems.push(`${relative(ROOT, fromFile)}: cannot resolve "${spec}"`);
    return undefined;
  }
  const file = resolved.resolvedFileName;
  const ext = emittedExtension(file);
  if (!relativeSpec) {
    // `@cdktf/provider-aws/lib/provider` → `@cdktf/provider-aws/lib/provider/index.js`.
    const sub = resolved.packageId?.subModuleName;
    if (!resolved.packageId || !sub || ext !== ".d.ts") {
      problems.push(`${relative(ROOT, fromFile)}: cannot map "${spec}" to a file of its package`);
      return undefined;
    }
    return `${resolved.packageId.name}/${sub.slice(0, sub.length - ext.length)}.js`;
  }
  const target = EMITTED_EXTENSION[ext];
  if (target === undefined) {
    problems.push(
      `${relative(ROOT, fromFile)}: "${spec}" resolves to ${file}, which the build does not emit`,
    );
    return undefined;
  }
  let out = relative(dirname(fromFile), file.slice(0, file.length - ext.length) + target).replaceAll(
    "\\",
    "/",
  );
  if (!out.startsWith(".")) out = `./${out}`;
  return out;
}

function specifierRewriter(
  options: ts.CompilerOptions,
  problems: string[],
): ts.TransformerFactory<ts.SourceFile | ts.Bundle> {
  return (context) => {
    const { factory } = context;
    const rewrite = (sourceFile: ts.SourceFile): ts.SourceFile => {
      const fromFile = ts.getOriginalNode(sourceFile, ts.isSourceFile)?.fileName ?? sourceFile.fileName;
      const literal = (node: ts.Expression | undefined): ts.StringLiteral | undefined => {
        if (!node || !ts.isStringLiteral(node)) return undefined;
        const spec = nodeSpecifier(node.text, fromFile, options, problems);
        return spec === undefined ? undefined : factory.createStringLiteral(spec);
      };
      const visit = (node: ts.Node): ts.Node => {
        if (ts.isImportDeclaration(node)) {
          const spec = literal(node.moduleSpecifier);
          if (spec)
            return factory.updateImportDeclaration(
              node,
              node.modifiers,
              node.importClause,
              spec,
              node.attributes,
            );
        } else if (ts.isExportDeclaration(node)) {
          const spec = literal(node.moduleSpecifier);
          if (spec)
            return factory.updateExportDeclaration(
              node,
              node.modifiers,
              node.isTypeOnly,
              node.exportClause,
              spec,
              node.attributes,
            );
        } else if (ts.isImportTypeNode(node)) {
          // `import("./x").T` in declarations.
          const arg = node.argument;
          if (ts.isLiteralTypeNode(arg)) {
            const spec = literal(arg.literal as ts.Expression);
            if (spec)
              return factory.updateImportTypeNode(
                node,
                factory.updateLiteralTypeNode(arg, spec),
                node.attributes,
                node.qualifier,
                node.typeArguments?.map((t) => ts.visitNode(t, visit) as ts.TypeNode),
                node.isTypeOf,
              );
          }
        } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
          const spec = literal(node.arguments[0]);
          if (spec) return factory.updateCallExpression(node, node.expression, node.typeArguments, [spec]);
        }
        return ts.visitEachChild(node, visit, context);
      };
      return ts.visitEachChild(sourceFile, visit, context);
    };
    return (node) => (ts.isSourceFile(node) ? rewrite(node) : node);
  };
}

/** Emits dist/; returns the problems (diagnostics and unresolvable specifiers), empty on success. */
export function buildPackage(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(BUILD_TSCONFIG, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  if (!config) throw new Error(`cannot read ${BUILD_TSCONFIG}`);
  rmSync(DIST, { recursive: true, force: true });
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const problems: string[] = [];
  const rewriter = specifierRewriter(config.options, problems);
  const result = program.emit(undefined, undefined, undefined, false, {
    after: [rewriter as ts.TransformerFactory<ts.SourceFile>],
    afterDeclarations: [rewriter],
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  };
  if (diagnostics.length > 0) problems.unshift(ts.formatDiagnostics(diagnostics, host));
  return [...new Set(problems)];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = buildPackage();
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
  console.log(`built ${relative(process.cwd(), DIST) || "."}`);
}
