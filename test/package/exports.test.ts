import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The exports map against the tree, without building: a new domain or add-on folder gets an entry point, every
 * entry point has a source, and the README's table documents each one. (test/package/pack.test.ts proves the
 * built entry points load.)
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const MANIFEST = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  exports: Record<string, string | { types: string; default: string }>;
};
const SUBPATHS = Object.keys(MANIFEST.exports).filter((s) => s !== "./package.json");
const folders = (dir: string) =>
  readdirSync(join(ROOT, dir)).filter((f) => statSync(join(ROOT, dir, f)).isDirectory());

describe("package exports (package.json)", () => {
  it("has an entry point for every constructs/<domain> with an index and for every add-on", () => {
    const expected = [
      ...folders("constructs")
        .filter((d) => existsSync(join(ROOT, "constructs", d, "index.ts")))
        .map((d) => `./constructs/${d}`),
      ...folders("constructs/addons").map((d) => `./constructs/addons/${d}`),
    ];
    expect(SUBPATHS).toEqual(expect.arrayContaining(expected));
  });

  it("points every entry point at the build of a source file that exists", () => {
    for (const subpath of SUBPATHS) {
      const target = MANIFEST.exports[subpath] as { types: string; default: string };
      expect(target.default, subpath).toMatch(/^\.\/dist\/.+\.js$/);
      expect(target.types, subpath).toBe(target.default.replace(/\.js$/, ".d.ts"));
      const source = target.default.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts");
      expect(existsSync(join(ROOT, source)), `${subpath} → ${source}`).toBe(true);
    }
  });

  it("documents every entry point in the README", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Using the kit as a package"));
    for (const subpath of SUBPATHS) {
      if (subpath.startsWith("./constructs/addons/")) {
        expect(section, subpath).toContain(`\`${subpath.slice("./constructs/addons/".length)}\``);
      } else {
        expect(section, subpath).toContain(`\`mlops-platform-kit${subpath.slice(1)}\``);
      }
    }
  });
});
