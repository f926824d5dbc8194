import { randomBytes } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { externalSecretsAddOn } from "../../../../constructs/addons/external-secrets";
import {
  type MlflowConfigInput,
  type MlflowOutputs,
  mlflowAddOn,
} from "../../../../constructs/addons/mlflow";
import type { AddOn, PlatformInfo } from "../../../../constructs/core";
import { controllerFor } from "../../../support/addons";
import type { ClusterSecrets } from "../../../support/job-process";
import { manifests } from "../../../support/manifests";
import { onlyResource, type SynthJson } from "../../../support/synth";
import { type Json, monitoringStub, synthAddOns } from "../external-secrets/support";

export { type Json, manifests, monitoringStub } from "../external-secrets/support";

/** ESO + MLflow (+ monitoring stub when asked), synthesized. */
export function synthMlflow(
  config: MlflowConfigInput = {},
  opts: { monitoring?: boolean; extra?: AddOn<unknown>[]; platform?: Partial<PlatformInfo> } = {},
): { json: SynthJson; outputs: MlflowOutputs } {
  const { json, outputs } = synthAddOns(
    [
      externalSecretsAddOn(),
      mlflowAddOn(config),
      ...controllerFor(config.ingress),
      ...(opts.monitoring ? [monitoringStub] : []),
      ...(opts.extra ?? []),
    ],
    opts.platform,
  );
  return { json, outputs: outputs.get("mlflow") as MlflowOutputs };
}

/** The MLflow release (not the operator's). */
export function mlflowRelease(json: SynthJson): Json {
  const releases = Object.values(json.resource?.helm_release ?? {}) as Json[];
  const found = releases.filter((r) => r.chart === "mlflow");
  if (found.length !== 1) throw new Error(`expected one mlflow release, found ${found.length}`);
  return found[0];
}

export function mlflowValues(json: SynthJson): Json {
  return parseYaml(mlflowRelease(json).values[0]) as Json;
}

export { onlyResource };

/** An ESO Password generator value: hex when encoded so, else letters and digits (the kit's `symbols: 0`). */
function generated(spec: Json): string {
  if (spec.encoding === "hex") return randomBytes(Number(spec.length)).toString("hex");
  if (Number(spec.symbols) !== 0) throw new Error(`Password generator with symbols: ${JSON.stringify(spec)}`);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(Number(spec.length)), (b) => alphabet[b % alphabet.length]).join("");
}

/**
 * The Secrets External Secrets would write for the synthesized ExternalSecrets: generated passwords as the
 * Password generators describe them, plain template literals (e.g. `username`), and the RDS master secret's
 * `username`/`password` for those synced from it. Keys templated from other values (URIs) are left out.
 */
export function clusterSecrets(
  json: SynthJson,
  master: { username: string; password: string },
): ClusterSecrets {
  const generators = manifests(json, "Password");
  const out: ClusterSecrets = {};
  for (const es of manifests(json, "ExternalSecret")) {
    const data: Record<string, string> = {};
    for (const from of es.spec.dataFrom as Json[]) {
      const ref = from.sourceRef?.generatorRef;
      if (ref) {
        const gen = generators.find((g) => g.metadata.name === ref.name) as Json;
        data.password = generated(gen.spec);
      } else if (from.extract) {
        Object.assign(data, master);
      }
    }
    for (const [key, value] of Object.entries(
      (es.spec.target.template?.data ?? {}) as Record<string, string>,
    )) {
      if (value === "{{ .username }}" || value === "{{ .password }}") continue;
      if (!value.includes("{{")) data[key] = value;
    }
    out[es.spec.target.name ?? es.metadata.name] = data;
  }
  return out;
}
