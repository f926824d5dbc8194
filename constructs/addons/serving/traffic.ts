import {
  DEFAULT_MODEL_ALIAS,
  type ServingCandidateConfig,
  type ServingDeploymentConfig,
  type ServingImageConfig,
  type ServingModelConfig,
} from "./config";
import { CANDIDATE_SUFFIX } from "./names";

/**
 * What a deployment's traffic settings mean, engine-neutral: which workloads run (the stable version and at most
 * one candidate), what each serves, and how live requests are split or mirrored. Each engine renders this plan
 * into its own objects (KServe: InferenceServices + one HTTPRoute; Seldon: Models + one Experiment), so canary,
 * shadow, promote and rollback mean the same in both.
 */

export type TrafficPhase = "stable" | "canary" | "shadow" | "promoted" | "rolledBack";

export interface ServingWorkload {
  /**
   * The pod label `track`: `stable` or `candidate`. A candidate's role (canary or shadow) is not on its pods, so
   * moving it from shadow to canary restarts nothing; the monitor relabels its series (`candidateRole`).
   */
  readonly track: "stable" | "candidate";
  /** Kubernetes name: the deployment's name, `-candidate` for the candidate. */
  readonly name: string;
  /** The service's `MODEL_SOURCES` entry source: `models:/<name>@<alias>`, `models:/<name>/<version>` or `s3://…`. */
  readonly modelSource: string;
  /** Fewest and most replicas. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export interface ServingTrafficPlan {
  readonly deployment: string;
  /** The name clients use: `/v2/models/<servedName>/infer`. */
  readonly servedName: string;
  readonly phase: TrafficPhase;
  readonly stable: ServingWorkload;
  readonly candidate?: ServingWorkload;
  /** Per cent of live requests each workload answers (sums to 100). */
  readonly weights: { readonly stable: number; readonly candidate: number };
  /** Whether the candidate receives a copy of every live request (answers discarded). */
  readonly mirror: boolean;
  /** What the candidate is: named by `traffic.canary` or `traffic.shadow`. @default - no candidate */
  readonly candidateRole?: "canary" | "shadow";
}

/** The reference service's model source for a model or candidate of it. */
export function modelSource(model: ServingModelConfig, ref?: ServingCandidateConfig): string {
  const r = ref ?? model;
  if (r.uri) return r.uri;
  const name = model.registeredModel as string;
  if (r.version) return `models:/${name}/${r.version}`;
  return `models:/${name}@${r.alias ?? DEFAULT_MODEL_ALIAS}`;
}

/** The plan of one (validated) deployment. */
export function trafficPlan(name: string, d: ServingDeploymentConfig): ServingTrafficPlan {
  const model = d.model as ServingModelConfig;
  const servedName = model.servedName ?? model.registeredModel ?? name;
  const stable: ServingWorkload = {
    track: "stable",
    name,
    modelSource: modelSource(model),
    minReplicas: d.replicas.min,
    maxReplicas: d.replicas.max,
  };
  const t = d.traffic;
  const ref = t.canary ?? t.shadow;
  if (!ref)
    return {
      deployment: name,
      servedName,
      phase: "stable",
      stable,
      weights: { stable: 100, candidate: 0 },
      mirror: false,
    };
  const candidate: ServingWorkload = {
    track: "candidate",
    name: `${name}-${CANDIDATE_SUFFIX}`,
    modelSource: modelSource(model, ref),
    // One replica is enough while it takes a share or a mirror; promoted, it takes the stable's bounds.
    minReplicas: t.promote ? d.replicas.min : 1,
    maxReplicas: d.replicas.max,
  };
  const base = {
    deployment: name,
    servedName,
    stable,
    candidate,
    candidateRole: t.canary ? ("canary" as const) : ("shadow" as const),
  };
  if (t.promote) return { ...base, phase: "promoted", weights: { stable: 0, candidate: 100 }, mirror: false };
  if (t.rollback)
    return { ...base, phase: "rolledBack", weights: { stable: 100, candidate: 0 }, mirror: false };
  if (t.canary) {
    const w = t.canary.weight;
    return { ...base, phase: "canary", weights: { stable: 100 - w, candidate: w }, mirror: false };
  }
  return { ...base, phase: "shadow", weights: { stable: 100, candidate: 0 }, mirror: true };
}

/** An image with its repository known (the configured one or the foundation's ECR repository). */
export type ResolvedImage = ServingImageConfig & { readonly repository: string };

/** The ECR repository the image workflow pushes the reference service to (`registry.repositories`). */
export const REFERENCE_IMAGE_REPOSITORY = "inference-service";

/** `repository@digest`, the only form the kit deploys (a tag can move under a running deployment). */
export function imageReference(image: ResolvedImage): string {
  return `${image.repository}@${image.digest}`;
}
