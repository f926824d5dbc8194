import type { ResourceView } from "./policy-index";
import { block, blocks, isObject, type Json, path } from "./values";

/** A container as the rules read it, in Kubernetes field names (camelCase). */
export interface ContainerView {
  readonly name: string;
  readonly init: boolean;
  readonly securityContext?: Json;
  readonly resources?: Json;
  readonly readinessProbe?: unknown;
  readonly livenessProbe?: unknown;
}

/** A pod template: its security context and containers; `custom` for pods inside a custom resource's template. */
export interface PodView {
  readonly where: string;
  readonly securityContext?: Json;
  readonly containers: ContainerView[];
  /** Jobs run to completion: probes do not apply. */
  readonly runsToCompletion: boolean;
  /** A custom resource's pod template: the operator builds the pod; only what is set can be checked. */
  readonly custom: boolean;
}

export const TYPED_WORKLOADS = [
  "kubernetes_deployment_v1",
  "kubernetes_stateful_set_v1",
  "kubernetes_daemon_set_v1",
  "kubernetes_job_v1",
  "kubernetes_cron_job_v1",
  "kubernetes_pod_v1",
] as const;

export const WORKLOAD_TYPES: readonly string[] = [...TYPED_WORKLOADS, "kubernetes_manifest"];

/** snake_case → camelCase, recursively (typed provider blocks → Kubernetes field names); 1-lists become objects. */
function camel(v: unknown, listKeys: ReadonlySet<string> = LIST_KEYS): unknown {
  if (Array.isArray(v)) return v.map((x) => camel(x, listKeys));
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, val] of Object.entries(v)) {
    const key = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[key] = listKeys.has(k)
      ? camel(val, listKeys)
      : camel(Array.isArray(val) && val.length === 1 ? val[0] : val);
  }
  return out;
}

const LIST_KEYS = new Set(["container", "init_container", "drop", "add"]);

function typedContainers(spec: Json): ContainerView[] {
  const one = (c: Json, init: boolean): ContainerView => {
    const cc = camel(c) as Json;
    return {
      name: String(cc.name ?? "?"),
      init,
      securityContext: block(cc.securityContext),
      resources: block(cc.resources),
      readinessProbe: cc.readinessProbe,
      livenessProbe: cc.livenessProbe,
    };
  };
  return [
    ...blocks(spec.init_container).map((c) => one(c, true)),
    ...blocks(spec.container).map((c) => one(c, false)),
  ];
}

function manifestContainers(spec: Json): ContainerView[] {
  const one = (c: Json, init: boolean): ContainerView => ({
    name: String(c.name ?? "?"),
    init,
    securityContext: block(c.securityContext),
    resources: block(c.resources),
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
  });
  return [
    ...blocks(spec.initContainers).map((c) => one(c, true)),
    ...blocks(spec.containers).map((c) => one(c, false)),
  ];
}

/** Pods a workload resource defines (typed workloads, core kinds in manifests, custom resources' templates). */
export function podsOf(view: ResourceView): PodView[] {
  const c = view.config;
  switch (view.type) {
    case "kubernetes_pod_v1":
    case "kubernetes_deployment_v1":
    case "kubernetes_stateful_set_v1":
    case "kubernetes_daemon_set_v1":
    case "kubernetes_job_v1":
    case "kubernetes_cron_job_v1": {
      const spec =
        view.type === "kubernetes_pod_v1"
          ? block(c.spec)
          : view.type === "kubernetes_cron_job_v1"
            ? block(path(c, "spec", "job_template", "spec", "template", "spec"))
            : block(path(c, "spec", "template", "spec"));
      if (!spec) return [];
      return [
        {
          where: "spec",
          securityContext: block(camel(block(spec.security_context))),
          containers: typedContainers(spec),
          runsToCompletion: view.type === "kubernetes_job_v1" || view.type === "kubernetes_cron_job_v1",
          custom: false,
        },
      ];
    }
    case "kubernetes_manifest":
      return manifestPods(block(c.manifest));
    default:
      return [];
  }
}

const CORE_POD_PATHS: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

function manifestPods(manifest: Json | undefined): PodView[] {
  if (!manifest) return [];
  const kind = String(manifest.kind ?? "");
  const apiVersion = String(manifest.apiVersion ?? "");
  const isCore = /^(v1|apps\/v1|batch\/v1)$/.test(apiVersion) && kind in CORE_POD_PATHS;
  if (isCore) {
    const spec = block(path(manifest, ...CORE_POD_PATHS[kind]));
    if (!spec) return [];
    return [
      {
        where: CORE_POD_PATHS[kind].join("."),
        securityContext: block(spec.securityContext),
        containers: manifestContainers(spec),
        runsToCompletion: kind === "Job" || kind === "CronJob",
        custom: false,
      },
    ];
  }
  // Custom resources (Strimzi and alike): any `template` object with a `pod` entry is a pod template; its
  // `*Container` siblings carry the containers' security contexts.
  const pods: PodView[] = [];
  const walk = (v: unknown, where: string) => {
    if (!isObject(v)) return;
    for (const [k, child] of Object.entries(v)) {
      if (k === "template" && isObject(child) && isObject(child.pod)) {
        const containers: ContainerView[] = Object.entries(child)
          .filter(([ck, cv]) => /Container$/.test(ck) && isObject(cv))
          .map(([ck, cv]) => ({
            name: ck,
            init: /^init/i.test(ck),
            securityContext: block((cv as Json).securityContext),
          }));
        pods.push({
          where: `${where}${k}.pod`,
          securityContext: block(child.pod.securityContext),
          containers,
          runsToCompletion: true,
          custom: true,
        });
      }
      walk(child, `${where}${k}.`);
    }
  };
  walk(manifest.spec, "spec.");
  return pods;
}
