import { answers, type RuleCases, s } from "./types";

/** One scrape target down for 10 minutes; `labels` adds target labels (e.g. the serving monitor's). */
export function targetDown(
  namespace: string,
  job: string,
  labels: Record<string, string> = {},
): RuleCases[string] {
  const target = { namespace, job, instance: "10.0.1.7:8080", ...labels };
  return {
    fires: { series: [s("up", target, "0x10")], at: "10m", labels: target },
    quiet: { series: [s("up", target, "1x10")], at: "10m" },
  };
}

const mlflow = { namespace: "mlflow", method: "POST" };

export const MLFLOW_CASES: RuleCases = {
  MlflowTargetDown: targetDown("mlflow", "mlflow"),
  MlflowHigh5xxRatio: {
    fires: {
      series: answers("mlflow_http_request_total", mlflow, ["status", "500", "200"], [10, 90]),
      at: "20m",
      labels: { namespace: "mlflow" },
    },
    quiet: {
      series: answers("mlflow_http_request_total", mlflow, ["status", "500", "200"], [1, 99]),
      at: "20m",
    },
  },
};

export const AIRFLOW_CASES: RuleCases = {
  AirflowTargetDown: targetDown("airflow", "airflow-statsd"),
  AirflowSchedulerHeartbeatMissing: {
    // Beats for 10 minutes, then stops.
    fires: {
      series: [s("airflow_scheduler_heartbeat", { namespace: "airflow" }, "0+1x10 10x20")],
      at: "25m",
      labels: {},
    },
    quiet: { series: [s("airflow_scheduler_heartbeat", { namespace: "airflow" }, "0+1x30")], at: "25m" },
  },
};
