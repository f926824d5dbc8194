import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { expect, it } from "vitest";
import { parse } from "yaml";
import { buildPlatform } from "../../blueprints/platform-blueprint";
import { parsePlatformConfig } from "../../config/loader";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import { describeWithSchemas, expectValidStack, synthWithPaths } from "../support/schemas";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "configs");

const configs: [string, unknown][] = [
  ["embedded default", EMBEDDED_DEFAULT],
  ["default with Kafka on MSK", { ...EMBEDDED_DEFAULT, addons: { kafka: { enabled: true, mode: "msk" } } }],
  ...readdirSync(EXAMPLES)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f): [string, unknown] => [`examples/configs/${f}`, parse(readFileSync(join(EXAMPLES, f), "utf8"))]),
];

/** Every Helm values object, custom resource and core Kubernetes object the platform emits, against upstream schemas. */
describeWithSchemas("synthesized platforms against the upstream reference schemas", () => {
  for (const [name, doc] of configs) {
    it(`${name}: every Kubernetes object and Helm values object is valid`, () => {
      const app = Testing.app();
      buildPlatform(app, parsePlatformConfig(doc, name));
      const stacks = app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c));
      let checked = 0;
      for (const stack of stacks) {
        const report = expectValidStack(synthWithPaths(stack));
        checked += Object.values(report.checked).reduce((a, b) => a + b, 0);
      }
      expect(checked, "every platform installs at least the default StorageClass").toBeGreaterThanOrEqual(1);
    });
  }
});
