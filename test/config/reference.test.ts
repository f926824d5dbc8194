import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configReferenceMarkdown, REFERENCE_END, REFERENCE_START } from "../../config/reference";

describe("configuration reference in the README", () => {
  it("matches the schema (run `npm run docs:config` after changing config/schema.ts)", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const start = readme.indexOf(REFERENCE_START);
    const end = readme.indexOf(REFERENCE_END);
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start + REFERENCE_START.length, end).trim()).toBe(configReferenceMarkdown().trim());
  });

  it("documents every field the schema accepts", () => {
    const table = configReferenceMarkdown();
    for (const key of [
      "network.natGatewayStrategy",
      "cluster.publicAccessCidrs",
      "nodePools.<name>.gpu",
      "dataLake.zones",
      "sandbox",
    ]) {
      expect(table).toContain(`\`${key}\``);
    }
  });
});
