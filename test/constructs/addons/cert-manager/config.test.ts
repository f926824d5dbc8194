import { describe, expect, it } from "vitest";
import { platformAddOns } from "../../../../blueprints/platform-addons";
import { parsePlatformConfig } from "../../../../config";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import { parseCertManagerConfig } from "../../../../constructs/addons/cert-manager";
import { configProblems } from "../../../support/errors";

const base = { preset: "standard", name: "acme", environment: "dev", region: "eu-west-1" } as const;
const kserve = {
  enabled: true,
  image: {
    repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x",
    digest: `sha256:${"ab".repeat(32)}`,
  },
  deployments: { readmission: { model: { registeredModel: "readmission" } } },
};
const seldon = {
  ...kserve,
  engine: "seldon",
  seldon: { acknowledgeBusinessSourceLicense: true },
  deployments: { readmission: { model: { uri: "s3://lake-models/readmission/2" } } },
};

/** The add-on ids a configuration runs, and those the serving add-on depends on. */
function selection(addons: Record<string, unknown>): { ids: string[]; servingDeps: readonly string[] } {
  const selected = platformAddOns(parsePlatformConfig({ ...base, addons }, "test"));
  return {
    ids: selected.map((a) => a.id),
    servingDeps: selected.find((a) => a.id === "serving")?.dependsOn ?? [],
  };
}

describe("cert-manager configuration", () => {
  it("defaults: enabled unset (decided by the platform), not external, 2 replicas on the system pool", () => {
    const c = parseCertManagerConfig({});
    expect("enabled" in c).toBe(false);
    expect(c).toMatchObject({ external: false, replicas: 2, nodePool: "system" });
    expect(c.resources.controller).toEqual({
      cpuRequest: "50m",
      memoryRequest: "128Mi",
      memoryLimit: "512Mi",
    });
  });

  it("fails when external and enabled are both true, naming external", () => {
    expect(() => parseCertManagerConfig({ enabled: true, external: true })).toThrow(
      /addons\.certManager\.external: got true with enabled: true; external says the cluster already runs cert-manager/,
    );
  });

  it("fails when its node pool is not one the platform creates", () => {
    const problems = configProblems(() =>
      parsePlatformConfig({ ...base, addons: { certManager: { enabled: true, nodePool: "edge" } } }, "test"),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^addons\.certManager\.nodePool: got "edge"; expected a node pool the platform creates/,
      ),
    ]);
  });
});

describe("cert-manager selection", () => {
  it("runs in the default configuration (KServe), and KServe's serving add-on depends on it", () => {
    const ids = platformAddOns(parsePlatformConfig(EMBEDDED_DEFAULT, "test")).map((a) => a.id);
    expect(ids).toContain("cert-manager");
    const { ids: withKserve, servingDeps } = selection({ serving: kserve });
    expect(withKserve).toContain("cert-manager");
    expect(servingDeps).toContain("cert-manager");
  });

  it("does not run for Seldon, without serving, or with serving off, unless enabled explicitly", () => {
    expect(selection({ serving: seldon }).ids).not.toContain("cert-manager");
    expect(selection({ serving: seldon }).servingDeps).not.toContain("cert-manager");
    expect(selection({}).ids).not.toContain("cert-manager");
    expect(selection({ serving: { ...kserve, enabled: false } }).ids).not.toContain("cert-manager");
    expect(selection({ certManager: { enabled: true } }).ids).toContain("cert-manager");
    // Explicitly on with Seldon: installed, but Seldon does not wait for it.
    const both = selection({ serving: seldon, certManager: { enabled: true } });
    expect([both.ids.includes("cert-manager"), both.servingDeps.includes("cert-manager")]).toEqual([
      true,
      false,
    ]);
  });

  it("installs nothing when the cluster's own cert-manager is declared external; KServe then depends on none", () => {
    for (const certManager of [{ external: true }, { enabled: false, external: true }]) {
      const s = selection({ serving: kserve, certManager });
      expect(s.ids, JSON.stringify(certManager)).not.toContain("cert-manager");
      expect(s.servingDeps).not.toContain("cert-manager");
    }
  });

  it("fails when KServe is on and cert-manager is explicitly off without external, naming the path", () => {
    const problems = configProblems(() =>
      parsePlatformConfig({ ...base, addons: { serving: kserve, certManager: { enabled: false } } }, "test"),
    );
    expect(problems).toEqual([
      "addons.certManager.enabled: got false; addons.serving runs KServe, whose chart issues its webhook certificate through cert-manager: leave enabled unset (or true) to install it, or set addons.certManager.external: true if the cluster already runs cert-manager",
    ]);
  });
});
