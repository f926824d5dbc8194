import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../../config/presets";
import { diffSection } from "../../../scripts/diff/report";
import { changes, platformSnapshot } from "./support";

/**
 * Version and capacity lines on the kit's own platform: the embedded default against the same configuration
 * with one chart bumped (addons.airflow.helm.chartVersion) and the system node pool's maximum raised.
 */
describe("the platform with a chart bumped and a node pool's max size raised", () => {
  const section = diffSection(
    "default",
    platformSnapshot(EMBEDDED_DEFAULT),
    platformSnapshot({
      ...EMBEDDED_DEFAULT,
      nodePools: { system: { maxSize: 9 } },
      addons: { ...EMBEDDED_DEFAULT.addons, airflow: { helm: { chartVersion: "1.22.1" } } },
    }),
  );
  const all = changes(section);
  const flags = all.flatMap((c) => c.flags.map((f) => ({ ...f, address: c.address, stack: c.stack })));

  it("changes exactly the airflow release and the system node group, in place", () => {
    expect(all.map((c) => `${c.stack} ${c.action} ${c.address.replace(/_[0-9A-F]{8}$/, "")}`)).toEqual([
      "mlops-dev-foundation update aws_eks_node_group.Cluster_NodePool-system",
      "mlops-dev-platform update helm_release.AddOns_airflow_Release",
    ]);
    expect(flags.filter((f) => f.level === "risk")).toEqual([]);
  });

  it("gives the chart's version line old → new", () => {
    const version = flags.filter((f) => f.kind === "version");
    expect(version.map((f) => f.message)).toEqual(["chart airflow: 1.22.0 → 1.22.1"]);
  });

  it("gives the node pool's capacity line old → new", () => {
    const capacity = flags.filter((f) => f.kind === "capacity");
    expect(capacity.map((f) => f.message)).toEqual(["node group `scaling_config.max_size`: 6 → 9"]);
  });
});
