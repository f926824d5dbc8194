/**
 * MLflow, Airflow and Kubeflow Pipelines, one row each. Rows use the add-ons' namespaces, as their alert rules
 * do. KFP has no verified metric list yet (its API server and Argo's controller expose their own names), so its
 * row shows what Prometheus and kube-state-metrics know: targets up and pods by phase.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { AIRFLOW_NAMESPACE } from "../../airflow/addon";
import { KUBEFLOW_NAMESPACE } from "../../kubeflow-pipelines/addon";
import { MLFLOW_NAMESPACE } from "../../mlflow/names";
import type { PlatformDashboard } from "./model";
import {
  errorRatio,
  latencyQuantiles,
  platformDashboard,
  problemCount,
  RATE,
  timeseries,
  upStat,
} from "./panels";

const ns = (namespace: string) => `namespace="${namespace}"`;
const MLFLOW = ns(MLFLOW_NAMESPACE);
const AIRFLOW = ns(AIRFLOW_NAMESPACE);
const KFP = ns(KUBEFLOW_NAMESPACE);

export const SERVICES_DASHBOARD: PlatformDashboard = {
  uid: "mlops-services",
  title: "MLOps Platform / MLflow, Airflow, Kubeflow Pipelines",
  addOns: ["mlflow", "airflow", "kubeflow-pipelines"],
  exporters: ["prometheus", "mlflow", "airflow-statsd", "kube-state-metrics"],
  build: () =>
    platformDashboard(new DashboardBuilder("MLOps Platform / MLflow, Airflow, Kubeflow Pipelines"), [
      "mlflow",
      "airflow",
      "kubeflow-pipelines",
    ])
      .uid("mlops-services")
      .description("The platform's ML services: tracking server, scheduler and pipelines.")
      .withRow(new RowBuilder("MLflow"))
      .withPanel(upStat("MLflow targets up", MLFLOW, { span: 4, height: 8 }))
      .withPanel(
        timeseries(
          "MLflow requests, per status",
          [[`sum by (status) (rate(mlflow_http_request_total{${MLFLOW}}[${RATE}]))`, "{{status}}"]],
          { unit: "reqps", span: 7 },
        ),
      )
      .withPanel(
        errorRatio("MLflow 5xx ratio", "mlflow_http_request_total", "status", MLFLOW, "namespace", {
          span: 6,
        }),
      )
      .withPanel(
        timeseries(
          "MLflow exceptions",
          [[`sum(rate(mlflow_http_request_exceptions_total{${MLFLOW}}[${RATE}]))`, "exceptions/s"]],
          { span: 7 },
        ),
      )
      .withPanel(
        latencyQuantiles("MLflow request latency", "mlflow_http_request_duration_seconds", MLFLOW, [], {
          span: 24,
        }),
      )
      .withRow(new RowBuilder("Airflow"))
      .withPanel(upStat("Airflow StatsD exporter up", AIRFLOW, { span: 4, height: 8 }))
      .withPanel(
        timeseries(
          "Scheduler heartbeats",
          [[`sum(rate(airflow_scheduler_heartbeat{${AIRFLOW}}[${RATE}]))`, "heartbeats/s"]],
          {
            span: 6,
            description: "Zero means the scheduler schedules nothing (AirflowSchedulerHeartbeatMissing).",
          },
        ),
      )
      .withPanel(
        problemCount("DAG import errors", `max(airflow_dag_processing_import_errors{${AIRFLOW}})`, {
          span: 4,
          height: 8,
        }),
      )
      .withPanel(
        timeseries(
          "Executor slots and tasks",
          [
            [`sum(airflow_executor_open_slots{${AIRFLOW}})`, "open slots"],
            [`sum(airflow_executor_queued_tasks{${AIRFLOW}})`, "queued"],
            [`sum(airflow_executor_running_tasks{${AIRFLOW}})`, "running"],
          ],
          { span: 10 },
        ),
      )
      .withRow(new RowBuilder("Kubeflow Pipelines"))
      .withPanel(upStat("KFP targets up", KFP, { span: 4, height: 8 }))
      .withPanel(
        timeseries("KFP pods, per phase", [[`sum by (phase) (kube_pod_status_phase{${KFP}})`, "{{phase}}"]], {
          span: 10,
          description: "Pipeline runs are Argo workflow pods in this namespace.",
        }),
      )
      .withPanel(
        timeseries(
          "KFP container restarts",
          [[`sum by (pod) (increase(kube_pod_container_status_restarts_total{${KFP}}[1h]))`, "{{pod}}"]],
          { span: 10 },
        ),
      )
      .build(),
};
