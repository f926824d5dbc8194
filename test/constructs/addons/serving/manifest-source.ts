/**
 * The serving objects the kit synthesizes for the platform's default configuration (serving on KServe, Strimzi
 * Kafka, MLflow), as the contract test reads them. Everything the test starts is derived from these objects
 * (topics, ACLs, Secrets, names).
 */

import { DEPLOYMENT_LABEL, KSERVE_CONTAINER_NAME } from "../../../../constructs/addons/serving";
import { type Json, manifests } from "../../../support/manifests";
import { synthPlatform } from "../../../support/platform";
import type { SynthJson } from "../../../support/synth";

export interface ServingManifest {
  /** Which configuration the objects come from. */
  readonly source: string;
  readonly isvc: Json;
  readonly pod: Json;
  readonly container: Json;
  readonly route: Json;
  /** The KafkaUser of the principal the container connects as. */
  readonly kafkaUser: Json;
  /** Topic names the Kafka add-on creates. */
  readonly topics: readonly string[];
  readonly externalSecrets: readonly Json[];
}

function allManifests(stacks: Readonly<Record<string, SynthJson>>): Json[] {
  return Object.values(stacks).flatMap((s) => manifests(s));
}

function pick(source: string, all: Json[]): ServingManifest {
  const one = (kind: string, filter: (m: Json) => boolean = () => true) => {
    const found = all.filter((m) => m.kind === kind && filter(m));
    if (found.length !== 1) throw new Error(`${source}: expected one ${kind}, found ${found.length}`);
    return found[0] as Json;
  };
  const isvc = one("InferenceService", (m) => m.metadata.labels?.["mlops.io/serving-track"] === "stable");
  const pod = isvc.spec.predictor as Json;
  const container = (pod.containers as Json[]).find((c) => c.name === KSERVE_CONTAINER_NAME);
  if (!container) throw new Error(`${source}: no ${KSERVE_CONTAINER_NAME} container`);
  const clientId = (container.env as Json[]).find((e) => e.name === "KAFKA_CLIENT_ID")?.value;
  return {
    source,
    isvc,
    pod,
    container,
    route: one("HTTPRoute", (m) => m.metadata.name === isvc.metadata.labels[DEPLOYMENT_LABEL]),
    kafkaUser: one("KafkaUser", (m) => m.metadata.name === clientId),
    topics: all.filter((m) => m.kind === "KafkaTopic").map((m) => m.spec.topicName ?? m.metadata.name),
    externalSecrets: all.filter(
      (m) => m.kind === "ExternalSecret" && m.metadata.namespace === isvc.metadata.namespace,
    ),
  };
}

/** The default configuration's KServe objects of its (one) deployment. */
export function kserveServingManifest(): ServingManifest {
  return pick("the default configuration", allManifests(synthPlatform().stacks));
}
