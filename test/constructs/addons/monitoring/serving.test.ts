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
  SERVING_SELDON_METRICS_PORT,
  SERVING_TARGET_LABELS,
  servingPodMonitor,
} from "../../../../constructs/addons/monitoring";
import { DEFAULT_INFERENCE_NAMESPACE } from "../../../../constructs/addons/monitoring/rules";
import {
  DEPLOYMENT_LABEL,
  INFERENCE_HTTP_PORT,
  TRACK_LABEL,
} from "../../../../constructs/addons/serving/names";
import { SELDON_PORTS } from "../../../../constructs/addons/serving/seldon";
import { validateCustomResource } from "../../../../scripts/validation";
import { loadConfig } from "../../../../service/src/config";
import type { Json } from "../../../support/manifests";
import { countKind, describeWithSchemas } from "../../../support/schemas";
import { byName, S3_VERSION, servingWith, synthServing } from "../serving/support";

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
    expect(m.spec.selector.matchLabels).toEqual({ "mlops.io/serving-deployment": "readmission" });
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

  it("names the candidate's track canary or shadow when told what the candidate is now", () => {
    const [endpoint] = monitor({ deployment: "churn", candidate: "shadow" }).spec.podMetricsEndpoints;
    expect(endpoint?.relabelings.at(-1)).toEqual({
      sourceLabels: ["__meta_kubernetes_pod_label_mlops_io_serving_track"],
      regex: "candidate",
      targetLabel: "track",
      replacement: "shadow",
    });
    expect(monitor({ deployment: "churn", selector: { app: "x" } }).spec.selector.matchLabels).toEqual({
      app: "x",
    });
  });

  it("fails when the deployment is not a DNS label, naming the value", () => {
    expect(() => monitor({ deployment: "Read_Mission" })).toThrow(
      'servingPodMonitor: deployment "Read_Mission" is not a DNS label of at most 55 characters',
    );
  });
});

describe("servingPodMonitor against the serving add-on's pods", () => {
  const { json } = synthServing(servingWith({ canary: { version: "3", weight: 10 } }));
  const services = byName(json, "InferenceService");

  it("uses the serving add-on's own pod labels; Prometheus may reach both engines' service ports", () => {
    expect(SERVING_POD_LABELS).toEqual({ deployment: DEPLOYMENT_LABEL, track: TRACK_LABEL });
    expect(SERVING_METRICS_PORT).toBe(INFERENCE_HTTP_PORT);
    expect(SERVING_SELDON_METRICS_PORT).toBe(SELDON_PORTS.serverHttp);
    expect(SCRAPED_PLATFORM_PORTS).toEqual(
      expect.arrayContaining([INFERENCE_HTTP_PORT, SELDON_PORTS.serverHttp]),
    );
  });

  it.each(["readmission", "readmission-candidate"])(
    "selects KServe's %s predictor pods, which declare the scraped port",
    (name) => {
      const predictor = (services[name] as Json).spec.predictor as Json;
      const m = monitor({ deployment: "readmission" });
      expect(predictor.labels).toMatchObject(m.spec.selector.matchLabels);
      const ports = (predictor.containers as Json[]).flatMap((c) =>
        (c.ports as Json[]).map((p) => p.containerPort),
      );
      expect(ports).toContain(m.spec.podMetricsEndpoints[0]?.portNumber);
      expect(predictor.labels[TRACK_LABEL]).toBe(name.endsWith("candidate") ? "candidate" : "stable");
    },
  );

  it.each(["readmission", "readmission-candidate"])(
    "selects Seldon's %s server pods (the operator copies the Server's labels onto them) on Seldon's server port",
    (name) => {
      const seldon = synthServing(
        // Seldon's candidates are S3 folders of versions (rclone fetches a Model's storageUri).
        servingWith({ canary: { uri: S3_VERSION(3), weight: 10 } }, { engine: "seldon" }),
      ).json;
      const server = byName(seldon, "Server")[name] as Json;
      const m = monitor({ deployment: "readmission", port: SERVING_SELDON_METRICS_PORT });
      expect(server.metadata.labels).toMatchObject(m.spec.selector.matchLabels);
      const config = byName(seldon, "ServerConfig")[server.spec.serverConfig] as Json;
      const ports = (config.spec.podSpec.containers as Json[]).flatMap((c) =>
        ((c.ports ?? []) as Json[]).map((p) => p.containerPort),
      );
      expect(ports).toContain(m.spec.podMetricsEndpoints[0]?.portNumber);
    },
  );

  it("fails to select another deployment's pods", () => {
    const predictor = (services.readmission as Json).spec.predictor as Json;
    expect(predictor.labels).not.toMatchObject(monitor({ deployment: "churn" }).spec.selector.matchLabels);
  });
});

describeWithSchemas("servingPodMonitor against the monitoring.coreos.com CRD", () => {
  it("validates", () => {
    const result = validateCustomResource(
      servingPodMonitor({ deployment: "readmission", interval: "15s", candidate: "canary" }),
    );
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
