/**
 * kube-prometheus-stack drops some cAdvisor series at scrape time (kubelet.serviceMonitor.
 * cAdvisorMetricRelabelings in the pinned chart's values.yaml, ../shared/schemas): no name on the kit's cAdvisor
 * list may be one of them, or a dashboard would query a series Prometheus never stores.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { parse } from "yaml";
import { CADVISOR } from "../../../../../constructs/addons/monitoring/rules";
import { schemasLocation } from "../../../../../scripts/validation";
import { describeWithSchemas } from "../../../../support/schemas";

interface Relabel {
  sourceLabels?: string[];
  action?: string;
  regex?: string;
}

/** The names a list of relabelings drops by `__name__` alone (Prometheus anchors relabel regexes). */
function dropped(relabelings: readonly Relabel[], names: readonly string[]): string[] {
  const drops = relabelings.filter(
    (r) => r.action === "drop" && r.sourceLabels?.length === 1 && r.sourceLabels[0] === "__name__",
  );
  return names.filter((n) => drops.some((r) => new RegExp(`^(?:${r.regex})$`).test(n)));
}

describeWithSchemas("cAdvisor metric list", () => {
  const values = parse(
    readFileSync(
      path.join(schemasLocation().dir ?? "", "charts", "kube-prometheus-stack", "values.yaml"),
      "utf8",
    ),
  ) as { kubelet: { serviceMonitor: { cAdvisorMetricRelabelings: Relabel[] } } };
  const relabelings = values.kubelet.serviceMonitor.cAdvisorMetricRelabelings;

  it("names no series the pinned chart drops", () => {
    expect(relabelings.length).toBeGreaterThan(3);
    expect(dropped(relabelings, CADVISOR)).toEqual([]);
  });

  it("fails when a dropped series is on the list", () => {
    expect(dropped(relabelings, [...CADVISOR, "container_cpu_cfs_throttled_seconds_total"])).toEqual([
      "container_cpu_cfs_throttled_seconds_total",
    ]);
  });
});
