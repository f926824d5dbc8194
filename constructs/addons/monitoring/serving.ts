/**
 * How a model deployment is scraped by the kit's Prometheus, for the serving add-on (constructs/addons/serving)
 * to call once per deployment. The contract between the two add-ons is the pod labels below: the monitor selects
 * the deployment's pods and turns its name and the pod's traffic track into the target labels `deployment` and
 * `track` (stable, and the candidate as canary or shadow), which the inference alert rules (rules/inference.ts) and the model-serving dashboard
 * (dashboards/serving.ts) group by, so a canary is seen beside its stable version.
 *
 * This folder never imports the serving add-on (it imports this one), so the add-on's id lives here.
 */
import { type PodMonitorRelabeling, podMonitor } from "../../core/pod-monitor";
import { DEFAULT_INFERENCE_NAMESPACE } from "./rules/options";

/** The serving add-on's id: the inference rules are emitted when it runs (context.has). */
export const SERVING_ADDON_ID = "serving";

/** The reference service's HTTP port (service/src/config.ts PORT's default), which also serves /metrics. */
export const SERVING_METRICS_PORT = 8080;
/**
 * The same service as a Seldon Core 2 server listens on Seldon's server port instead (the serving add-on's
 * SELDON_PORTS.serverHttp; serving.test.ts checks they agree), so Prometheus must reach that one too.
 */
export const SERVING_SELDON_METRICS_PORT = 9000;

/**
 * Pod labels of a model server pod that the monitor reads: the serving add-on's own (its names.ts
 * DEPLOYMENT_LABEL and TRACK_LABEL; test/constructs/addons/monitoring/serving.test.ts checks they agree and that
 * the monitor selects the pods it synthesizes).
 */
export const SERVING_POD_LABELS = {
  /** The deployment (`serving.deployments.<name>`); every pod of it carries this, the candidate's included. */
  deployment: "mlops.io/serving-deployment",
  /** `stable` or `candidate` (the canary or shadow version); a pod without it is counted as `stable`. */
  track: "mlops.io/serving-track",
} as const;

/** The `track` values a series may carry: the pod's own, or what the candidate is now (`candidate` option). */
export const SERVING_TRACKS = ["stable", "candidate", "canary", "shadow"] as const;
export type ServingTrack = (typeof SERVING_TRACKS)[number];

/** Target labels every series of a served model gets, beside the operator's namespace, pod and container. */
export const SERVING_TARGET_LABELS = { deployment: "deployment", track: "track" } as const;

export interface ServingPodMonitorProps {
  /** The deployment's name (`serving.deployments.<name>`); names the monitor `serving-<deployment>`. */
  readonly deployment: string;
  /** @default "serving" (the inference rules' `rules.inference.namespace` default) */
  readonly namespace?: string;
  /** The container port serving /metrics; the pod must declare it. @default SERVING_METRICS_PORT */
  readonly port?: number;
  /** @default "/metrics" */
  readonly path?: string;
  /** @default "30s" */
  readonly interval?: string;
  /**
   * The pod labels selecting the deployment's pods, when the engine's pods do not carry the deployment label
   * (e.g. an engine that labels its pods itself). @default - `{ "mlops.io/serving-deployment": deployment }`
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * What the deployment's candidate pods (track `candidate`) are now: their series get `track="canary"` or
   * `"shadow"`, so dashboards and alerts say which. @default - `candidate` is kept
   */
  readonly candidate?: "canary" | "shadow";
}

/** Prometheus' name of a pod label in Kubernetes service discovery. */
const podLabelMeta = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A `PodMonitor` for one model deployment: its pods (label `mlops.io/serving-deployment: <deployment>`) in the
 * serving namespace, on the service's port. A PodMonitor (as every kit monitor, constructs/core/pod-monitor.ts)
 * rather than a ServiceMonitor: KServe's RawDeployment and Seldon Core v2 each make their own Services, while the
 * pod labels are what the serving add-on sets itself. Prometheus loads it through its `{}` selector when the
 * namespace carries the platform label (`PlatformNamespace`); the namespace's NetworkPolicy must admit
 * Prometheus (`MONITORING_POD_LABELS.prometheus` in `monitoring`) on the port, and the port must be in
 * `SCRAPED_PLATFORM_PORTS` (8080 is). Emit it through `context.manifest` only when monitoring runs.
 */
export function servingPodMonitor(p: ServingPodMonitorProps): Record<string, unknown> {
  if (!NAME.test(p.deployment) || p.deployment.length > 55)
    throw new Error(
      `servingPodMonitor: deployment ${JSON.stringify(p.deployment)} is not a DNS label of at most 55 characters`,
    );
  const relabelings: PodMonitorRelabeling[] = [
    { targetLabel: SERVING_TARGET_LABELS.deployment, replacement: p.deployment },
    // Stable unless the pod says otherwise: a deployment without canary or shadow labels nothing.
    { targetLabel: SERVING_TARGET_LABELS.track, replacement: "stable" },
    {
      sourceLabels: [podLabelMeta(SERVING_POD_LABELS.track)],
      regex: "(.+)",
      targetLabel: SERVING_TARGET_LABELS.track,
      replacement: "$1",
    },
    ...(p.candidate === undefined
      ? []
      : [
          {
            sourceLabels: [podLabelMeta(SERVING_POD_LABELS.track)],
            regex: "candidate",
            targetLabel: SERVING_TARGET_LABELS.track,
            replacement: p.candidate,
          },
        ]),
  ];
  return podMonitor({
    name: `serving-${p.deployment}`,
    namespace: p.namespace ?? DEFAULT_INFERENCE_NAMESPACE,
    selector: p.selector ?? { [SERVING_POD_LABELS.deployment]: p.deployment },
    portNumber: p.port ?? SERVING_METRICS_PORT,
    ...(p.path === undefined ? {} : { path: p.path }),
    ...(p.interval === undefined ? {} : { interval: p.interval }),
    relabelings,
  });
}
