import { AIRFLOW_NAMESPACE } from "../../airflow/addon";
import { MLFLOW_NAMESPACE } from "../../mlflow/names";
import type { AlertRule, RuleGroup } from "./model";
import { percent, type ResolvedAlertRuleOptions } from "./options";

/** An alert on every scrape target of a namespace being down. */
export function targetDown(alert: string, namespace: string, what: string): AlertRule {
  return {
    alert,
    expr: `up{namespace="${namespace}"} == 0`,
    for: "5m",
    labels: { severity: "critical" },
    annotations: {
      summary: `${what} target {{ $labels.instance }} is down`,
      description: `Prometheus cannot scrape {{ $labels.job }} in ${namespace} for 5 minutes.`,
      runbook: `kubectl -n ${namespace} get pods,endpoints: is the pod running and ready, and does the NetworkPolicy still admit Prometheus on the metrics port?`,
    },
  };
}

/**
 * Share of `metric`'s requests answered 5xx in a namespace over 5 minutes, above `ratio`, per `by` labels;
 * `matchers` narrow the series further (e.g. `track!="shadow"`).
 */
export function http5xxRatioExpr(
  metric: string,
  statusLabel: string,
  namespace: string,
  ratio: number,
  by = "namespace",
  matchers = "",
): string {
  const ns = [`namespace="${namespace}"`, matchers].filter(Boolean).join(", ");
  return `sum by (${by}) (rate(${metric}{${ns}, ${statusLabel}=~"5.."}[5m])) / sum by (${by}) (rate(${metric}{${ns}}[5m])) > ${ratio}`;
}

export function mlflowRuleGroups(o: ResolvedAlertRuleOptions): RuleGroup[] {
  return [
    {
      name: "mlflow",
      exporters: ["prometheus", "mlflow"],
      rules: [
        targetDown("MlflowTargetDown", MLFLOW_NAMESPACE, "MLflow"),
        {
          alert: "MlflowHigh5xxRatio",
          expr: http5xxRatioExpr("mlflow_http_request_total", "status", MLFLOW_NAMESPACE, o.http5xxRatio),
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: `MLflow answers more than ${percent(o.http5xxRatio)} of requests with 5xx`,
            description: "Clients logging runs or loading models are failing.",
            runbook:
              "Read the tracking server's logs; most 5xx come from the backend store (RDS reachable, credentials synced by External Secrets) or the artifact bucket (IRSA role, KMS key policy).",
          },
        },
      ],
    },
  ];
}

export function airflowRuleGroups(_o: ResolvedAlertRuleOptions): RuleGroup[] {
  return [
    {
      name: "airflow",
      exporters: ["prometheus", "airflow-statsd"],
      rules: [
        targetDown("AirflowTargetDown", AIRFLOW_NAMESPACE, "Airflow"),
        {
          alert: "AirflowSchedulerHeartbeatMissing",
          expr: `sum(rate(airflow_scheduler_heartbeat{namespace="${AIRFLOW_NAMESPACE}"}[5m])) == 0 or absent(airflow_scheduler_heartbeat{namespace="${AIRFLOW_NAMESPACE}"})`,
          for: "5m",
          labels: { severity: "critical" },
          annotations: {
            summary: "The Airflow scheduler sends no heartbeat",
            description:
              "No scheduler heartbeat reached the StatsD exporter for 5 minutes: no task is scheduled.",
            runbook:
              "kubectl -n airflow get pods -l component=scheduler; read the scheduler logs (database connection, DAG parsing stuck). Restart the scheduler if it hangs.",
          },
        },
      ],
    },
  ];
}
