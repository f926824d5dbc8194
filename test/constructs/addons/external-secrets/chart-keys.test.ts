import { expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { externalSecretsAddOn } from "../../../../constructs/addons/external-secrets";
import { validateHelmValues } from "../../../../scripts/validation";
import { countKind, describeWithSchemas } from "../../../support/schemas";
import { monitoringStub, synthAddOns } from "./support";

function releaseValues(addOn: ReturnType<typeof externalSecretsAddOn>, monitoring = false): unknown {
  const { json } = synthAddOns([addOn, ...(monitoring ? [monitoringStub] : [])]);
  const release = Object.values(json.resource?.helm_release ?? {})[0] as { values: string[] };
  return parseYaml(release.values[0] as string);
}

function leafPaths(node: unknown, prefix = ""): string[] {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

describeWithSchemas(
  "External Secrets chart values against the chart's values.yaml and values.schema.json",
  () => {
    it("uses only value paths the chart's values.yaml has, with the types its schema allows", () => {
      const values = releaseValues(externalSecretsAddOn({ replicas: 2 }), true);
      expect(validateHelmValues("external-secrets", values).issues).toEqual([]);
      expect(leafPaths(values).length).toBeGreaterThan(20);
      countKind("values:external-secrets");
    });

    it("fails when a key is misspelt (what Helm would ignore), naming the key and the closest one", () => {
      const values = releaseValues(externalSecretsAddOn({ helm: { values: { installCRD: true } } }));
      const issues = validateHelmValues("external-secrets", values).issues;
      expect(issues.map((i) => i.path)).toEqual(["installCRD"]);
      expect(issues[0]?.message).toMatch(
        /chart external-secrets has no value "installCRD".*did you mean "installCRDs"/,
      );
    });
  },
);
