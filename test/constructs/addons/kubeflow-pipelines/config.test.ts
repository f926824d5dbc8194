import { describe, expect, it } from "vitest";
import {
  KubeflowPipelinesAddOn,
  kubeflowPipelinesAddOn,
} from "../../../../constructs/addons/kubeflow-pipelines/addon";
import {
  KubeflowPipelinesConfigSchema,
  parseKubeflowPipelinesConfig,
} from "../../../../constructs/addons/kubeflow-pipelines/config";
import {
  KFP_RELEASES,
  KFP_VERSIONS,
  kfpImages,
} from "../../../../constructs/addons/kubeflow-pipelines/images";
import { synthKfp } from "./support";

describe("Kubeflow Pipelines configuration", () => {
  it("defaults to the pinned release, curated/kfp/ artifacts, RDS metadata with 7-day backups, UI and cache on", () => {
    const c = parseKubeflowPipelinesConfig({});
    expect(c.enabled).toBe(false);
    expect(c.version).toBe("2.17.1");
    expect(c.artifacts).toEqual({ zone: "curated", prefix: "kfp/", apiServerBucketCheck: true });
    expect(c.metadata).toEqual({
      store: "rds",
      instanceClass: "db.t4g.medium",
      backupRetentionInDays: 7,
      storageGiB: 20,
    });
    expect(c.ui.enabled).toBe(true);
    expect(c.cache.enabled).toBe(true);
    expect(c.resources.apiServer).toEqual({ cpu: "250m", memory: "512Mi", cpuLimit: "1" });
    expect(c.overrides).toEqual({ apiServerEnv: {} });
    expect(c.helm).toEqual({ values: {} });
  });

  it("pins every image of a release by exact tag, KFP images at the release version", () => {
    for (const v of KFP_VERSIONS) {
      const images = Object.entries(kfpImages(v));
      expect(images.length).toBe(10);
      for (const [name, ref] of images) {
        expect(ref, name).toMatch(/^[a-z0-9.-]+(\/[a-z0-9._-]+)+:[A-Za-z0-9._-]+$/);
        expect(ref, name).not.toMatch(/:(latest|master|dummy)$/);
        if (ref.startsWith("ghcr.io/kubeflow/")) expect(ref.endsWith(`:${v}`), name).toBe(true);
      }
    }
    expect(Object.keys(KFP_RELEASES)[0]).toBe("2.17.1");
  });

  it("describes every field (the generated config reference needs it)", () => {
    const schema = KubeflowPipelinesConfigSchema.toJSONSchema({ io: "input" }) as Record<string, unknown>;
    const undescribed: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [k, v] of Object.entries(props)) {
        if (!v.description) undescribed.push(`${path}${k}`);
        walk(v, `${path}${k}.`);
      }
    };
    walk(schema, "");
    expect(Object.keys((schema.properties ?? {}) as object).length).toBe(9);
    expect(undescribed).toEqual([]);
  });

  it("accepts the same RDS instance classes as the other add-ons and RdsDatabase", () => {
    for (const instanceClass of ["db.r6g.large", "db.x2iedn.xlarge", "db.m7i.large"]) {
      expect(parseKubeflowPipelinesConfig({ metadata: { instanceClass } }).metadata.instanceClass).toBe(
        instanceClass,
      );
    }
  });

  it("fails when a component's CPU or memory is zero", () => {
    const apiServer = { cpu: "0", memory: "512Mi", cpuLimit: "1" };
    expect(() => parseKubeflowPipelinesConfig({ resources: { apiServer } })).toThrow(
      /resources\.apiServer\.cpu/,
    );
    expect(() =>
      parseKubeflowPipelinesConfig({
        resources: { apiServer: { ...apiServer, cpu: "250m", memory: "0Ki" } },
      }),
    ).toThrow(/resources\.apiServer\.memory/);
  });

  it("fails when the version is not a supported release, listing the supported ones", () => {
    expect(() => kubeflowPipelinesAddOn({ version: "2.5.0" })).toThrow(
      /addons\.kubeflowPipelines\.version: .*unsupported Kubeflow Pipelines version "2\.5\.0"; supported .*2\.17\.1/,
    );
  });

  it("fails when backups are kept fewer than 7 days, quoting the value", () => {
    expect(() => kubeflowPipelinesAddOn({ metadata: { backupRetentionInDays: 3 } })).toThrow(
      /addons\.kubeflowPipelines\.metadata\.backupRetentionInDays: .*3.*at least 7/,
    );
  });

  it("fails when the metadata store is unknown", () => {
    expect(() => kubeflowPipelinesAddOn({ metadata: { store: "postgres" as "rds" } })).toThrow(
      /addons\.kubeflowPipelines\.metadata\.store: got "postgres"; expected one of "rds", "in-cluster"/,
    );
  });

  it("fails when an API server env override would carry static credentials", () => {
    expect(() =>
      kubeflowPipelinesAddOn({ overrides: { apiServerEnv: { OBJECTSTORECONFIG_ACCESSKEY: "AKIA..." } } }),
    ).toThrow(
      /overrides\.apiServerEnv\.OBJECTSTORECONFIG_ACCESSKEY: env "OBJECTSTORECONFIG_ACCESSKEY" would carry static credentials/,
    );
    expect(() =>
      kubeflowPipelinesAddOn({ overrides: { apiServerEnv: { AWS_SECRET_ACCESS_KEY: "x" } } }),
    ).toThrow(/AWS_SECRET_ACCESS_KEY/);
  });

  it("fails when multiAz is asked of the single-replica in-cluster MySQL", () => {
    expect(() => kubeflowPipelinesAddOn({ metadata: { store: "in-cluster", multiAz: true } })).toThrow(
      /metadata\.multiAz: multiAz true needs metadata\.store "rds"/,
    );
  });

  it("fails when a key is misspelt (strict objects)", () => {
    expect(() => kubeflowPipelinesAddOn({ artifacts: { zone: "curated", bucket: "x" } as never })).toThrow(
      /addons\.kubeflowPipelines\.artifacts.*bucket/,
    );
  });

  it("fails when the artifact zone is not a zone of the data lake, naming the zones", () => {
    expect(() => synthKfp({ artifacts: { zone: "gold" } })).toThrow(
      /artifacts\.zone: got "gold"; expected a data-lake zone \(raw, curated, features, models\)/,
    );
  });

  it("is the add-on id kubeflow-pipelines and depends on external-secrets", () => {
    const addOn = kubeflowPipelinesAddOn({ enabled: true });
    expect(addOn).toBeInstanceOf(KubeflowPipelinesAddOn);
    expect(addOn.id).toBe("kubeflow-pipelines");
    expect(addOn.dependsOn).toEqual(["external-secrets"]);
  });
});
