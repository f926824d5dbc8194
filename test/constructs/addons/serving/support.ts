import { parse as parseYaml } from "yaml";
import { kafkaAddOn } from "../../../../constructs/addons/kafka";
import {
  type ServingConfigInput,
  type ServingNodePool,
  type ServingPodExtras,
  servingAddOn,
} from "../../../../constructs/addons/serving";
import type { AddOn } from "../../../../constructs/core/addon";
import { externalSecretsStub, monitoringStub, synthAddOns } from "../../../support/addons";
import { type Json, manifests } from "../../../support/manifests";
import type { SynthJson } from "../../../support/synth";

export const MLFLOW_URI = "http://mlflow.mlflow.svc.cluster.local:5000";
/** The MLflow add-on as the serving add-on reads it (its tracking URI only). */
export const mlflowStub: AddOn<unknown> = { id: "mlflow", deploy: () => ({ trackingUri: MLFLOW_URI }) };

export const POOLS: Record<string, ServingNodePool> = {
  system: { name: "system", gpu: false },
  gpu: { name: "gpu", gpu: true },
  batch: {
    name: "batch",
    gpu: false,
    taints: [{ key: "mlops.io/workload", value: "batch", effect: "NO_SCHEDULE" }],
  },
};

export const IMAGE = {
  repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-dev/inference-service",
  digest: `sha256:${"ab".repeat(32)}`,
};

/** S3 folders of single versions, as Seldon's Models need them (rclone fetches a Model's storageUri). */
export const S3_VERSION = (n: number) => `s3://lake-models/readmission/${n}`;

/**
 * A serving section with one deployment `readmission`, traffic as given: the registered model, or with engine
 * seldon the S3 folder of version 2 (Seldon cannot read a registry reference).
 */
export function servingWith(
  traffic: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  deployment: Record<string, unknown> = {},
): ServingConfigInput {
  return {
    enabled: true,
    image: IMAGE,
    seldon: { acknowledgeBusinessSourceLicense: true },
    ...extra,
    deployments: {
      readmission: {
        model:
          extra.engine === "seldon"
            ? { uri: S3_VERSION(2), servedName: "readmission" }
            : { registeredModel: "readmission" },
        traffic,
        ...deployment,
      },
    },
  } as ServingConfigInput;
}

/** The serving add-on with MLflow (and Kafka) stand-ins, synthesized into one stack. */
export function synthServing(
  config: ServingConfigInput,
  opts: { podExtras?: ServingPodExtras; kafka?: boolean } = {},
): { json: SynthJson; outputs: Map<string, unknown> } {
  const addOn = servingAddOn(config, POOLS, {
    kafka: opts.kafka,
    podExtras: opts.podExtras ? () => opts.podExtras as ServingPodExtras : undefined,
  });
  // The real Kafka add-on (Strimzi): the access wiring reads its principals, ACLs and Secrets.
  return synthAddOns([
    mlflowStub,
    externalSecretsStub,
    monitoringStub,
    ...(opts.kafka ? [kafkaAddOn({ enabled: true })] : []),
    addOn,
  ]);
}

/** Manifests of a kind by name. */
export function byName(json: SynthJson, kind: string): Record<string, Json> {
  return Object.fromEntries(manifests(json, kind).map((m) => [m.metadata.name as string, m]));
}

/** A release's values, parsed, by chart name. */
export function releaseValues(json: SynthJson, chart: string): Json {
  const found = (Object.values(json.resource?.helm_release ?? {}) as Json[]).filter((r) => r.chart === chart);
  if (found.length !== 1) throw new Error(`expected one ${chart} release, found ${found.length}`);
  return parseYaml(found[0].values[0]) as Json;
}

/** The server container of an InferenceService. */
export function predictorContainer(isvc: Json): Json {
  return isvc.spec.predictor.containers[0] as Json;
}

/** A container's env as a map. */
export function envOf(container: Json): Record<string, string> {
  return Object.fromEntries((container.env as Json[]).map((e) => [e.name, e.value]));
}
