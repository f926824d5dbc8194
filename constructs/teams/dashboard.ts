/**
 * A team environment's Grafana dashboard (issue 13): its namespace's CPU, memory and GPUs against the
 * ResourceQuota, its pods and restarts. Built like the kit's own dashboards (grafana-foundation-sdk, the
 * monitoring add-on's panel helpers) and delivered the same way: a ConfigMap Grafana's dashboard sidecar loads,
 * filed under a folder of the team's own (`grafana_folder` annotation). The sidecar watches every namespace
 * (`searchNamespace: ALL` in the monitoring add-on's values).
 */
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { dashboardConfigMap, type PlatformDashboard } from "../addons/monitoring/dashboards";
import {
  platformDashboard,
  RATE,
  saturation,
  stat,
  timeseries,
} from "../addons/monitoring/dashboards/panels";
import { MONITORING_NAMESPACE } from "../addons/monitoring/names";

export interface TeamDashboardOptions {
  readonly team: string;
  readonly environment: string;
  /** The team environment's namespace: every query is limited to it. */
  readonly namespace: string;
  /** GPU panels (allocation against the quota, DCGM utilization): when the team may request GPUs. */
  readonly gpus: boolean;
}

/** Grafana folder of a team's dashboards (one per environment). */
export function teamDashboardFolder(team: string): string {
  return `Team ${team}`;
}

/** The dashboard uid (Grafana URL /d/<uid>): `team-<name>-<env>`, at most 5+20+1+12 = 38 characters. */
export function teamDashboardUid(team: string, environment: string): string {
  return `team-${team}-${environment}`;
}

/** `kube_resourcequota` of one resource: `type` is "hard" (the limit) or "used" (what pods request now). */
function quota(ns: string, resource: string, type: "hard" | "used"): string {
  return `sum(kube_resourcequota{${ns}, resource="${resource}", type="${type}"})`;
}

/** Share of a quota in use; no data when the quota has no such resource. */
function quotaUsed(ns: string, resource: string): string {
  return `${quota(ns, resource, "used")} / ${quota(ns, resource, "hard")}`;
}

export function teamDashboard(o: TeamDashboardOptions): PlatformDashboard {
  const uid = teamDashboardUid(o.team, o.environment);
  const title = `Team ${o.team} / ${o.environment}`;
  const ns = `namespace="${o.namespace}"`;
  const cpuUsed = `sum(rate(container_cpu_usage_seconds_total{${ns}, container!=""}[${RATE}]))`;
  const memoryUsed = `sum(container_memory_working_set_bytes{${ns}, container!=""})`;
  const gpuRequests = `kube_pod_container_resource_requests{${ns}, resource="nvidia_com_gpu"}`;
  const build = () => {
    let b = platformDashboard(new DashboardBuilder(title), ["team", `team-${o.team}`])
      .uid(uid)
      .description(
        `Namespace ${o.namespace}: usage against its ResourceQuota, pods and restarts (kube-state-metrics, cAdvisor${o.gpus ? ", DCGM" : ""}).`,
      )
      .withRow(new RowBuilder("Quota used"));
    const share = (name: string, resource: string) =>
      saturation(`${name} requested / quota`, [[quotaUsed(ns, resource), name]], 0.9, { span: 4 });
    b = b
      .withPanel(share("CPU", "requests.cpu"))
      .withPanel(share("Memory", "requests.memory"))
      .withPanel(share("Pods", "pods"))
      .withPanel(share("Storage", "requests.storage"))
      .withPanel(share("Volume claims", "persistentvolumeclaims"));
    if (o.gpus) b = b.withPanel(share("GPUs", "requests.nvidia.com/gpu"));
    b = b
      .withRow(new RowBuilder("Usage"))
      .withPanel(
        timeseries(
          "CPU (cores): used, requested, quota",
          [
            [cpuUsed, "used"],
            [quota(ns, "requests.cpu", "used"), "requested"],
            [quota(ns, "requests.cpu", "hard"), "quota"],
          ],
          { min: 0 },
        ),
      )
      .withPanel(
        timeseries(
          "Memory: working set, requested, quota",
          [
            [memoryUsed, "working set"],
            [quota(ns, "requests.memory", "used"), "requested"],
            [quota(ns, "requests.memory", "hard"), "quota"],
          ],
          { unit: "bytes", min: 0 },
        ),
      )
      .withPanel(
        timeseries(
          "CPU per pod (cores)",
          [
            [
              `sum by (pod) (rate(container_cpu_usage_seconds_total{${ns}, container!=""}[${RATE}]))`,
              "{{pod}}",
            ],
          ],
          { min: 0 },
        ),
      )
      .withPanel(
        timeseries(
          "Memory working set per pod",
          [[`sum by (pod) (container_memory_working_set_bytes{${ns}, container!=""})`, "{{pod}}"]],
          { unit: "bytes", min: 0 },
        ),
      );
    if (o.gpus)
      b = b
        .withPanel(
          timeseries(
            "GPUs: allocated, quota",
            [
              [`sum(${gpuRequests})`, "allocated"],
              [quota(ns, "requests.nvidia.com/gpu", "hard"), "quota"],
            ],
            { min: 0 },
          ),
        )
        .withPanel(
          // DCGM's own pod/namespace labels arrive as exported_* (the exporter's ServiceMonitor keeps honorLabels off).
          timeseries(
            "GPU utilization per pod",
            [
              [
                `avg by (exported_pod) (DCGM_FI_DEV_GPU_UTIL{exported_namespace="${o.namespace}"})`,
                "{{exported_pod}}",
              ],
            ],
            { unit: "percent", min: 0, max: 100 },
          ),
        );
    return b
      .withRow(new RowBuilder("Pods"))
      .withPanel(
        timeseries("Pods per phase", [[`sum by (phase) (kube_pod_status_phase{${ns}})`, "{{phase}}"]], {
          span: 8,
          min: 0,
        }),
      )
      .withPanel(
        timeseries(
          "Container restarts (1h), per pod",
          [[`sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`, "{{pod}}"]],
          { span: 8, min: 0 },
        ),
      )
      .withPanel(
        stat(
          "Containers waiting, per reason",
          [`sum by (reason) (kube_pod_container_status_waiting_reason{${ns}})`, "{{reason}}"],
          { span: 8, height: 8, thresholdAt: 1, higherIsWorse: true },
        ),
      )
      .build();
  };
  return {
    uid,
    title,
    addOns: [],
    exporters: o.gpus ? ["kube-state-metrics", "cadvisor", "dcgm"] : ["kube-state-metrics", "cadvisor"],
    build,
  };
}

/** The dashboard as the ConfigMap the sidecar loads, filed under the team's folder. */
export function teamDashboardConfigMap(
  o: TeamDashboardOptions,
  configMapNamespace: string = MONITORING_NAMESPACE,
): Record<string, unknown> {
  return dashboardConfigMap(teamDashboard(o), configMapNamespace, teamDashboardFolder(o.team));
}

export interface TeamDashboardProps extends TeamDashboardOptions {
  readonly provider: KubernetesProvider;
  /**
   * Where the ConfigMap lives. The monitoring namespace by default: outside the team's namespace, its members
   * (even with `edit`) cannot change or delete the dashboard the platform gives them.
   */
  readonly configMapNamespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The team environment's dashboard as a `kubernetes_config_map_v1` (plannable without the cluster, unlike a
 * `kubernetes_manifest`). Only where the monitoring add-on runs: its Grafana sidecar is what loads it.
 */
export class TeamDashboard extends Construct {
  readonly configMap: ConfigMapV1;
  readonly uid: string;

  constructor(scope: Construct, id: string, props: TeamDashboardProps) {
    super(scope, id);
    const manifest = teamDashboardConfigMap(props, props.configMapNamespace) as {
      metadata: {
        name: string;
        namespace: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
      };
      data: Record<string, string>;
    };
    this.uid = teamDashboardUid(props.team, props.environment);
    this.configMap = new ConfigMapV1(this, "ConfigMap", {
      provider: props.provider,
      metadata: {
        name: manifest.metadata.name,
        namespace: manifest.metadata.namespace,
        labels: { ...props.labels, ...manifest.metadata.labels },
        annotations: manifest.metadata.annotations,
      },
      data: manifest.data,
      dependsOn: props.dependsOn,
    });
  }
}
