import { type RuleCases, s, volume } from "./types";

const crash = { pod: "mlflow-7d9c", container: "mlflow", reason: "CrashLoopBackOff" };
const pvc = { namespace: "airflow", persistentvolumeclaim: "logs-airflow-worker-0" };

export const KUBERNETES_CASES: RuleCases = {
  PlatformPodCrashLooping: {
    fires: {
      series: [s("kube_pod_container_status_waiting_reason", { namespace: "mlflow", ...crash }, "1x30")],
      at: "20m",
      labels: { namespace: "mlflow", pod: crash.pod, container: crash.container },
    },
    // Outside the kit's namespaces the stack's own rules answer.
    quiet: {
      series: [s("kube_pod_container_status_waiting_reason", { namespace: "default", ...crash }, "1x30")],
      at: "20m",
    },
  },
  PlatformPersistentVolumeFillingUp: {
    // 60% used, losing 1 byte a minute: 1440 bytes a day against 310 left.
    fires: {
      series: volume(pvc, "400-1x100", "1000x100"),
      at: "90m",
      labels: pvc,
    },
    quiet: {
      series: volume(pvc, "400x100", "1000x100"),
      at: "90m",
    },
  },
};
