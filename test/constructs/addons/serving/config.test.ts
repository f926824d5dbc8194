import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../../config";
import { parseServingConfig } from "../../../../constructs/addons/serving";
import { IMAGE, servingWith } from "./support";

const platform = (serving: unknown, extra: Record<string, unknown> = {}) =>
  parsePlatformConfig(
    {
      preset: "standard",
      name: "acme",
      environment: "dev",
      region: "eu-west-1",
      ...extra,
      addons: { serving, ...((extra.addons as object) ?? {}) },
    },
    "test",
  );

const error = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a configuration error");
};

describe("serving configuration", () => {
  it("defaults: engine kserve, Seldon licence not acknowledged, no deployments; a deployment gets champion, 2-4 replicas, the system pool", () => {
    const c = parseServingConfig({
      enabled: true,
      image: IMAGE,
      deployments: { readmission: { model: { registeredModel: "readmission" } } },
    });
    expect(c).toMatchObject({ engine: "kserve", seldon: { acknowledgeBusinessSourceLicense: false } });
    expect(c.deployments.readmission).toMatchObject({
      replicas: { min: 2, max: 4, targetCpuUtilization: 70 },
      nodePool: "system",
      resources: { cpuRequest: "500m", memoryRequest: "1Gi", memoryLimit: "2Gi" },
      traffic: { promote: false, rollback: false },
    });
  });

  const fails: [string, unknown, RegExp][] = [
    [
      "the canary weight is above 100",
      servingWith({ canary: { version: "3", weight: 101 } }),
      /addons\.serving\.deployments\.readmission\.traffic\.canary\.weight: got 101; weight must be at most 100/,
    ],
    [
      "the canary weight is below 0",
      servingWith({ canary: { version: "3", weight: -1 } }),
      /addons\.serving\.deployments\.readmission\.traffic\.canary\.weight: got -1; weight must be at least 0/,
    ],
    [
      "the canary names the version the deployment already serves",
      servingWith(
        { canary: { version: "2", weight: 10 } },
        {},
        { model: { registeredModel: "readmission", version: "2" } },
      ),
      /addons\.serving\.deployments\.readmission\.traffic\.canary\.version: got "2", the version 2 the deployment already serves/,
    ],
    [
      "the shadow names the alias the deployment already serves",
      servingWith({ shadow: { alias: "champion" } }),
      /addons\.serving\.deployments\.readmission\.traffic\.shadow\.alias: got "champion", the alias champion the deployment already serves/,
    ],
    [
      "canary and shadow are both given",
      servingWith({ canary: { version: "3", weight: 10 }, shadow: { version: "4" } }),
      /addons\.serving\.deployments\.readmission\.traffic\.shadow: got both canary and shadow/,
    ],
    [
      "promote is set without a candidate",
      servingWith({ promote: true }),
      /addons\.serving\.deployments\.readmission\.traffic\.promote: got true without a candidate/,
    ],
    [
      "a deployment has no model",
      { enabled: true, image: IMAGE, deployments: { readmission: {} } },
      /addons\.serving\.deployments\.readmission\.model: missing; expected the model to serve/,
    ],
    [
      "the image has a tag instead of a digest",
      servingWith({}, { image: { repository: IMAGE.repository, digest: "latest" } }),
      /addons\.serving\.image\.digest: got "latest"; expected the image digest sha256:<64 hex>/,
    ],
    [
      "engine seldon serves a registry model (rclone cannot fetch models:/…)",
      {
        ...(servingWith({}) as object),
        engine: "seldon",
        seldon: { acknowledgeBusinessSourceLicense: true },
      },
      /addons\.serving\.deployments\.readmission\.model\.registeredModel: got "readmission" with engine seldon; Seldon's agent fetches a Model's storageUri with rclone/,
    ],
    [
      "engine seldon without the licence acknowledgement",
      servingWith({}, { engine: "seldon", seldon: {} }),
      /addons\.serving\.seldon\.acknowledgeBusinessSourceLicense: got false; engine seldon installs Seldon Core 2, licensed under the Business Source License 1\.1/,
    ],
  ];
  for (const [what, serving, message] of fails) {
    it(`fails when ${what}`, () => {
      expect(error(() => platform(serving))).toMatch(message);
    });
  }

  it("fails when a deployment names a node pool the platform does not create, listing the pools", () => {
    expect(error(() => platform(servingWith({}, {}, { nodePool: "inference" })))).toMatch(
      /addons\.serving\.deployments\.readmission\.nodePool: got "inference"; expected a node pool the platform creates \(system, gpu, batch\)/,
    );
  });

  it("fails when a CPU-only image is placed on a GPU pool; passes with an image built for GPUs", () => {
    expect(error(() => platform(servingWith({}, {}, { nodePool: "gpu" })))).toMatch(
      /addons\.serving\.deployments\.readmission\.nodePool: got "gpu", a GPU pool; the image .* is CPU only/,
    );
    const gpu = platform(servingWith({}, {}, { nodePool: "gpu", image: { ...IMAGE, gpu: true } }));
    expect(gpu.addons.serving.deployments.readmission?.nodePool).toBe("gpu");
  });

  it("fails when a registry model is served without MLflow, naming the model's path", () => {
    expect(error(() => platform(servingWith({}), { addons: { mlflow: { enabled: false } } }))).toMatch(
      /addons\.serving\.deployments\.readmission\.model\.registeredModel: got "readmission"; registry models are resolved through MLflow/,
    );
  });

  it("fails when the image has no repository and registry.repositories does not create inference-service", () => {
    const serving = servingWith({}, { image: { digest: IMAGE.digest } });
    expect(error(() => platform(serving, { registry: { repositories: {} } }))).toMatch(
      /addons\.serving\.image\.repository: missing; without it the image comes from the foundation's ECR repository "inference-service"/,
    );
    expect(platform(serving).addons.serving.image?.repository).toBeUndefined();
  });

  it("fails when KServe runs and cert-manager is switched off without declaring one outside the kit", () => {
    const off = { addons: { certManager: { enabled: false } } };
    expect(error(() => platform(servingWith({}), off))).toMatch(
      /addons\.certManager\.enabled: got false; addons\.serving runs KServe, whose chart issues its webhook certificate through cert-manager: .* or set addons\.certManager\.external: true/,
    );
    const external = { addons: { certManager: { enabled: false, external: true } } };
    expect(platform(servingWith({}), external).addons.certManager.external).toBe(true);
    // Seldon does not need it.
    expect(platform(servingWith({}, { engine: "seldon" }), off).addons.serving.engine).toBe("seldon");
  });

  it("accepts Seldon with the acknowledgement", () => {
    expect(platform(servingWith({}, { engine: "seldon" })).addons.serving.engine).toBe("seldon");
  });
});
