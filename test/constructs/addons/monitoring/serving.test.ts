/**
 * The monitor the serving add-on emits per model deployment: its selector and port, the target labels the
 * inference rules and the serving dashboard group by, and the CRD. That the relabelings give those labels in a
 * real Prometheus is shown by dashboards/serving-prometheus.test.ts, which scrapes the real service with them.
 */
import { describe, expect, it } from "vitest";
import {
  SCRAPED_PLATFORM_PORTS,
  SERVING_METRICS_PORT,
  SERVING_POD_LABELS,
  SERVING_TARGET_LABELS,
  servingPodMonitor,
} from "../../../../constructs/addons/monitoring";
import { DEFAULT_INFERENCE_NAMESPACE } from "../../../../constructs/addons/monitoring/rules";
import { validateCustomResource } from "../../../../scripts/validation";
import { loadConfig } from "../../../../service/src/config";
import { countKind, describeWithSchemas } from "../../../support/schemas";

type Endpoint = {
  portNumber: number;
  path: string;
  relabelings: { sourceLabels?: string[]; regex?: string; targetLabel: string; replacement: string }[];
};
type Monitor = {
  metadata: { name: string; namespace: string };
  spec: {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector: { matchNames: string[] };
    podMetricsEndpoints: Endpoint[];
  };
};

const monitor = (props: Parameters<typeof servingPodMonitor>[0]) => servingPodMonitor(props) as Monitor;

describe("servingPodMonitor", () => {
  it("selects the deployment's pods in the serving namespace on the service's own port", () => {
    const m = monitor({ deployment: "readmission" });
    expect(m.metadata).toEqual({ name: "serving-readmission", namespace: DEFAULT_INFERENCE_NAMESPACE });
    expect(m.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "readmission" });
    expect(m.spec.namespaceSelector.matchNames).toEqual(["serving"]);
    const [endpoint] = m.spec.podMetricsEndpoints;
    expect(endpoint?.path).toBe("/metrics");
    // The port the service listens on unless PORT says otherwise, and one Prometheus may reach.
    expect(endpoint?.portNumber).toBe(loadConfig({}).PORT);
    expect(SCRAPED_PLATFORM_PORTS).toContain(SERVING_METRICS_PORT);
  });

  it("labels every target with its deployment and its track (stable unless the pod says canary or shadow)", () => {
    const [endpoint] = monitor({ deployment: "churn", namespace: "models", port: 9000 }).spec
      .podMetricsEndpoints;
    expect(endpoint?.portNumber).toBe(9000);
    expect(endpoint?.relabelings).toEqual([
      { targetLabel: SERVING_TARGET_LABELS.deployment, replacement: "churn" },
      { targetLabel: SERVING_TARGET_LABELS.track, replacement: "stable" },
      {
        sourceLabels: ["__meta_kubernetes_pod_label_mlops_io_serving_track"],
        regex: "(.+)",
        targetLabel: SERVING_TARGET_LABELS.track,
        replacement: "$1",
      },
    ]);
    expect(SERVING_POD_LABELS.track).toBe("mlops.io/serving-track");
  });

  it("fails when the deployment is not a DNS label, naming the value", () => {
    expect(() => monitor({ deployment: "Read_Mission" })).toThrow(
      'servingPodMonitor: deployment "Read_Mission" is not a DNS label of at most 55 characters',
    );
  });
});

describeWithSchemas("servingPodMonitor against the monitoring.coreos.com CRD", () => {
  it("validates", () => {
    const result = validateCustomResource(servingPodMonitor({ deployment: "readmission", interval: "15s" }));
    expect(result.issues ?? [], JSON.stringify(result.issues)).toEqual([]);
    expect(result.valid).toBe(true);
    countKind("PodMonitor");
  });

  it("fails validation when a relabeling's action is not one the CRD knows (the CRD is really checked)", () => {
    const m = monitor({ deployment: "readmission" });
    const [endpoint] = m.spec.podMetricsEndpoints;
    const broken = {
      ...m,
      spec: {
        ...m.spec,
        podMetricsEndpoints: [
          { ...endpoint, relabelings: [{ action: "rename", targetLabel: "x", replacement: "y" }] },
        ],
      },
    };
    expect(validateCustomResource(broken).valid).toBe(false);
  });
});
