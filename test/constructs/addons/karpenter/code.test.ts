import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { karpenterAddOn } from "../../../../constructs/addons/karpenter";
import { validateSynthesizedStack } from "../../../../scripts/validation";
import { synthAddOns } from "../../../support/addons";
import { type Json, manifestNamed, manifests } from "../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";

const gpuPool = { gpu: true, instanceFamilies: ["g6"], limits: { cpu: 48, "nvidia.com/gpu": 4 } };

/** The add-on built in code (no configuration): pools and placement as props. */
describe("Karpenter add-on from code", () => {
  it("emits a NodePool and EC2NodeClass per pool and runs on the given managed node groups", () => {
    const { json } = synthAddOns([
      karpenterAddOn({
        pools: { infer: gpuPool },
        systemPools: ["core", "ops"],
        systemPoolTaints: [{ key: "dedicated", value: "ops", effect: "NO_SCHEDULE" }],
      }),
    ]);
    const pool = manifestNamed(json, "NodePool", "infer");
    expect(pool.spec.template.spec.requirements).toContainEqual({
      key: "karpenter.k8s.aws/instance-family",
      operator: "In",
      values: ["g6"],
    });
    expect(manifestNamed(json, "EC2NodeClass", "infer").spec.role).toMatch(
      /aws_iam_role\..*NodeRole.*\.name/,
    );
    // Without monitoring: no PodMonitor, no metrics ingress.
    expect(manifests(json, "PodMonitor")).toEqual([]);
    const release = Object.values(json.resource?.helm_release ?? {}).find(
      (r) => r.chart === "karpenter",
    ) as Json;
    const values = parseYaml(release.values[0]) as Json;
    expect(
      values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]
        .matchExpressions[1],
    ).toEqual({ key: "mlops.io/node-pool", operator: "In", values: ["core", "ops"] });
    expect(values.tolerations).toContainEqual({
      key: "dedicated",
      operator: "Equal",
      value: "ops",
      effect: "NoSchedule",
    });
  });

  it("fails when a pool built in code breaks a rule, naming its config path", () => {
    expect(() =>
      synthAddOns([
        karpenterAddOn({ pools: { infer: { ...gpuPool, limits: { cpu: 48 } } }, systemPools: ["core"] }),
      ]),
    ).toThrow(/Invalid nodePools\.infer\.limits\["nvidia\.com\/gpu"\]: got undefined; expected a GPU limit/);
  });

  it("fails when no managed node group is named for the controller", () => {
    expect(() => synthAddOns([karpenterAddOn({ pools: {}, systemPools: [] })])).toThrow(
      /Invalid systemPools: got \[\]; expected the managed node group\(s\) the Karpenter controller runs on/,
    );
  });
});

describeWithSchemas("Karpenter chart values against the reference values.yaml", () => {
  it("the kit's values and the objects of a code-built pool validate", () => {
    const { json } = synthAddOns([karpenterAddOn({ pools: { infer: gpuPool }, systemPools: ["core"] })]);
    const report = expectValidStack(json);
    expect(report.checked.HelmRelease).toBe(2);
    expect(report.checked.NodePool).toBe(1);
    expect(report.checked.EC2NodeClass).toBe(1);
  });

  it("fails when an override key is misspelt, naming the key and the chart", () => {
    const { json } = synthAddOns([
      karpenterAddOn({ systemPools: ["core"], values: { settings: { clusterNmae: "x" } } }),
    ]);
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures.map((f) => f.error).join("\n")).toMatch(
      /chart karpenter has no value "settings\.clusterNmae"/,
    );
  });
});
