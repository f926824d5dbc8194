import { parse } from "yaml";
import { type AirflowOutputs, airflowAddOn } from "../../../../constructs/addons/airflow/addon";
import type { AirflowConfigInput } from "../../../../constructs/addons/airflow/config";
import type { AddOn, PlatformInfo } from "../../../../constructs/core";
import { externalSecretsStub, synthAddOns } from "../../../support/addons";
import { all, type Json, named } from "../../../support/manifests";
import { onlyResource, type SynthJson } from "../../../support/synth";

export { externalSecretsStub, monitoringStub } from "../../../support/addons";
export { type Json, manifestNamed, manifests } from "../../../support/manifests";

/** A stand-in for MLflow, for `database.shareWith`: only its `database` output matters here. */
export const MLFLOW_DB = {
  address: "acme-dev-mlflow.abc123.eu-west-1.rds.amazonaws.com",
  port: 5432,
  masterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-mlflow-AbCdEf",
};
export const mlflowStub: AddOn<unknown> = { id: "mlflow", deploy: () => ({ database: MLFLOW_DB }) };

export interface AirflowSynth {
  readonly json: SynthJson;
  readonly outputs: AirflowOutputs;
}

/** Deploys the Airflow add-on (plus `extra` add-ons) into a synthesized scope. */
export function synthAirflow(
  config: AirflowConfigInput,
  extra: AddOn<unknown>[] = [],
  platform: Partial<PlatformInfo> = {},
): AirflowSynth {
  const { json, outputs } = synthAddOns([externalSecretsStub, ...extra, airflowAddOn(config)], platform);
  return { json, outputs: outputs.get("airflow") as AirflowOutputs };
}

/** Every string in a JSON value, with its path, for "no secret anywhere" scans. */
export function strings(value: unknown, path = "$"): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  }
  return [];
}

/** The Helm values of the (only) release, parsed. */
export function valuesOf(json: SynthJson): Json {
  const release = onlyResource(json, "helm_release") as Json;
  return parse(release.values[0]) as Json;
}

export function policies(json: SynthJson): Json[] {
  return all(json, "kubernetes_network_policy_v1");
}

export function policyNamed(json: SynthJson, name: string): Json {
  return named(json, "kubernetes_network_policy_v1", name);
}

/** A git-sync configuration used across the Airflow tests. */
export const TEST_GIT = {
  repository: "https://github.com/acme/dags.git",
  branch: "release/2026-11",
  subPath: "airflow/dags",
  periodInSeconds: 30,
};
