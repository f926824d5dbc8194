import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import {
  type AddOn,
  CHARTS,
  type DeployedAddOn,
  deployAddOns,
  HelmAddOn,
  orderAddOns,
} from "../../../constructs/core";
import { baseAddOnContext } from "../../support/cluster";
import { resourcesOf, type SynthJson, synthScope } from "../../support/synth";

const addOn = (id: string, dependsOn: string[] = []): AddOn<unknown> => ({
  id,
  dependsOn,
  deploy: () => ({}),
});

class DevicePluginLike extends HelmAddOn {
  readonly id: string = "gpu-plugin";
  protected readonly chart = CHARTS.nvidiaDevicePlugin;
  protected readonly defaultNamespace: string = "gpu";
  protected readonly defaultReleaseName = "nvidia-device-plugin";
  protected values() {
    return {
      nodeSelector: { "nvidia.com/gpu.present": "true" },
      tolerations: [{ key: "a", operator: "Exists" }],
    };
  }
}

describe("add-on contract", () => {
  it("orders add-ons after their dependencies", () => {
    const order = orderAddOns([addOn("c", ["b"]), addOn("b", ["a"]), addOn("a")]).map((a) => a.id);
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("fails when a dependency is not enabled, naming both", () => {
    expect(() => orderAddOns([addOn("mlflow", ["monitoring"])])).toThrow(
      /add-on "mlflow" depends on "monitoring", which is not enabled/,
    );
  });

  it("fails when dependencies form a cycle, showing it", () => {
    expect(() => orderAddOns([addOn("a", ["b"]), addOn("b", ["a"])])).toThrow(/cycle: a -> b -> a/);
  });

  it("fails when an id is used twice", () => {
    expect(() => orderAddOns([addOn("a"), addOn("a")])).toThrow(/"a" is used twice/);
  });

  it("fails when an add-on reads outputs of one it does not depend on", () => {
    expect(() =>
      synthScope((scope) => {
        deployAddOns(new Construct(scope, "AddOns"), baseAddOnContext(scope), [
          addOn("a"),
          { id: "b", deploy: (ctx) => ctx.outputsOf("a") },
        ]);
      }),
    ).toThrow(/"b" reads outputs of "a" without declaring it in dependsOn/);
  });

  it("installs a Helm add-on with a restricted, default-deny namespace and merged values", () => {
    const json = synthScope((scope) => {
      const dep = new DevicePluginLike({ values: { nodeSelector: { extra: "x" }, tolerations: [] } });
      deployAddOns(new Construct(scope, "AddOns"), baseAddOnContext(scope), [dep]);
    });
    const ns = Object.values(resourcesOf(json, "kubernetes_namespace_v1"))[0] as {
      metadata: { name: string; labels: Record<string, string> };
    };
    expect(ns.metadata.name).toBe("gpu");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const policies = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as {
      metadata: { name: string };
      spec: { policy_types: string[] };
    }[];
    expect(policies.map((p) => p.metadata.name)).toContain("default-deny");
    expect(policies.find((p) => p.metadata.name === "default-deny")?.spec.policy_types).toEqual([
      "Ingress",
      "Egress",
    ]);
    const release = Object.values(resourcesOf(json, "helm_release"))[0] as {
      version: string;
      chart: string;
      values: string[];
      atomic: boolean;
      depends_on: string[];
    };
    expect(release).toMatchObject({
      chart: "nvidia-device-plugin",
      version: CHARTS.nvidiaDevicePlugin.version,
      atomic: true,
    });
    expect(release.values[0]).toContain("nvidia.com/gpu.present");
    expect(release.values[0]).toContain("extra: x");
    expect(release.values[0]).toContain("tolerations: []");
    expect(release.depends_on.some((d) => d.startsWith("kubernetes_namespace_v1."))).toBe(true);
  });

  it("makes a dependent add-on's releases depend on its dependency's releases", () => {
    class Second extends DevicePluginLike {
      override readonly id = "second";
      override readonly dependsOn = ["gpu-plugin"];
      protected override readonly defaultNamespace = "second";
    }
    const json = synthScope((scope) => {
      deployAddOns(new Construct(scope, "AddOns"), baseAddOnContext(scope), [
        new Second(),
        new DevicePluginLike(),
      ]);
    });
    const releases = resourcesOf(json, "helm_release") as Record<
      string,
      { namespace: string; depends_on?: string[] }
    >;
    const [firstKey] = Object.entries(releases).find(([, r]) => r.namespace === "gpu") as [string, unknown];
    const second = Object.values(releases).find((r) => r.namespace === "second");
    expect(second?.depends_on).toContain(`helm_release.${firstKey}`);
  });

  it("fails when a namespace weaker than restricted has no reason", () => {
    class Privileged extends DevicePluginLike {
      protected override readonly podSecurity = "privileged" as const;
    }
    expect(() =>
      synthScope((scope) => {
        deployAddOns(new Construct(scope, "AddOns"), baseAddOnContext(scope), [new Privileged()]);
      }),
    ).toThrow(/podSecurity "privileged" needs podSecurityReason/);
  });
});

describe("add-on custom resources", () => {
  const cr = {
    apiVersion: "example.io/v1",
    kind: "Thing",
    metadata: { name: "t", namespace: "n" },
    spec: {},
  };

  it("puts manifests next to the add-on when no manifest target is given", () => {
    const json = synthScope((scope) => {
      deployAddOns(new Construct(scope, "AddOns"), baseAddOnContext(scope), [
        { id: "things", deploy: (ctx) => ctx.manifest("Thing", cr) },
      ]);
    });
    const manifests = Object.values(resourcesOf(json, "kubernetes_manifest")) as { manifest: unknown }[];
    expect(manifests).toHaveLength(1);
    expect(manifests[0].manifest).toEqual(cr);
  });

  it("puts manifests in the manifest target's scope with its provider", () => {
    const app = Testing.app();
    const platform = new TerraformStack(app, "platform");
    const resources = new TerraformStack(app, "resources");
    new AwsProvider(platform, "aws", { region: "eu-west-1" });
    const provider = new KubernetesProvider(resources, "k8s", { alias: "later" });
    deployAddOns(
      new Construct(platform, "AddOns"),
      baseAddOnContext(platform),
      [{ id: "things", deploy: (ctx) => ctx.manifest("Thing", cr) }],
      { scope: resources, provider },
    );
    const inPlatform = JSON.parse(Testing.synth(platform)) as SynthJson;
    const inResources = JSON.parse(Testing.synth(resources)) as SynthJson;
    expect(resourcesOf(inPlatform, "kubernetes_manifest")).toEqual({});
    const [m] = Object.values(resourcesOf(inResources, "kubernetes_manifest")) as { provider: string }[];
    expect(m.provider).toBe("kubernetes.later");
  });
});

describe("add-on service-account roles", () => {
  it("records, per add-on, every role it created through its context (helpers included), nothing else", () => {
    let deployed = new Map<string, DeployedAddOn>();
    const withRoles: AddOn<unknown> = {
      id: "with-roles",
      deploy: (c) => {
        c.cluster.serviceAccountRole("app-role", { namespace: "app", serviceAccount: "app", mode: "irsa" });
        // A helper handed the context's cluster records through it too.
        const helper = (cluster: typeof c.cluster) =>
          cluster.serviceAccountRole("helper-role", {
            namespace: "app",
            serviceAccount: "helper",
            mode: "irsa",
          });
        helper(c.cluster);
        // The facts still come from the real cluster context.
        return { clusterName: c.cluster.clusterName, provider: c.cluster.kubernetesProvider };
      },
    };
    synthScope((scope) => {
      deployed = deployAddOns(new Construct(scope, "AddOns"), baseAddOnContext(scope), [
        withRoles,
        addOn("without-roles"),
      ]);
    });
    const roles = deployed.get("with-roles")?.serviceAccountRoles ?? [];
    expect(roles.map((r) => [r.id, r.namespace, r.serviceAccount])).toEqual([
      ["app-role", "app", "app"],
      ["helper-role", "app", "helper"],
    ]);
    expect(deployed.get("without-roles")?.serviceAccountRoles).toEqual([]);
    const outputs = deployed.get("with-roles")?.outputs as { clusterName: string };
    expect(outputs.clusterName).toBe("acme-dev");
  });
});
