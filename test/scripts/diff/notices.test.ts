import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../../config/presets";
import { diffSection, risks } from "../../../scripts/diff/report";
import { teamsExample } from "../../support/teams";
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

describe("a new team (examples/configs/teams.yaml plus a team churn)", () => {
  const example = teamsExample();
  const churn = {
    members: [{ arn: "arn:aws:iam::123456789012:role/churn-lead", access: "edit" }],
    services: ["kafka", "mlflow"],
    lake: { readWriteZones: ["raw"] },
  };
  const section = diffSection(
    "teams",
    platformSnapshot(example),
    platformSnapshot({ ...example, teams: { ...(example.teams as object), churn } }),
  );

  it("is only additions, all in the team's own stack, with no risk", () => {
    const all = changes(section).filter((c) => c.mode === "managed");
    expect(all.length).toBeGreaterThan(10);
    expect(new Set(all.map((c) => c.action))).toEqual(new Set(["create"]));
    expect(new Set(changes(section).map((c) => c.stack))).toEqual(new Set(["acme-dev-team-churn-dev"]));
    expect(all.map((c) => c.type)).toContain("kubernetes_namespace_v1");
    expect(risks({ format: "mlops-kit-diff/1", base: "a", head: "b", sections: [section] })).toEqual([]);
  });
});
