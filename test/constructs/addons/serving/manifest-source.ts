/**
 * The serving objects the kit synthesizes for the platform's default configuration (serving on KServe, Strimzi
 * Kafka, MLflow) and for the same with the Seldon engine, as the contract test reads them. Everything the test starts is derived from these objects
 * (topics, ACLs, Secrets, names).
 */

import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import {
  DEPLOYMENT_LABEL,
  KSERVE_CONTAINER_NAME,
  SELDON_SERVER_CONTAINER_NAME,
  TRACK_LABEL,
} from "../../../../constructs/addons/serving";
import { type Json, manifests } from "../../../support/manifests";
import { synthPlatform } from "../../../support/platform";
import type { SynthJson } from "../../../support/synth";

/** A model server container in its pod, and what it connects to. */
export interface ServerManifest {
  /** Which configuration the objects come from. */
  readonly source: string;
  readonly pod: Json;
  readonly container: Json;
  /** The KafkaUser of the principal the container connects as. */
  readonly kafkaUser: Json;
  /** Topic names the Kafka add-on creates. */
  readonly topics: readonly string[];
  /** Its namespace's ExternalSecrets (the Secrets its volumes mount). */
  readonly externalSecrets: readonly Json[];
}

export interface ServingManifest extends ServerManifest {
  readonly isvc: Json;
  readonly route: Json;
}

function allManifests(stacks: Readonly<Record<string, SynthJson>>): Json[] {
  return Object.values(stacks).flatMap((s) => manifests(s));
}

/** What the model server connects to: the KafkaUser of its client id, the topics, its namespace's ExternalSecrets. */
function kafkaParts(source: string, all: Json[], container: Json, namespace: string) {
  const clientId = (container.env as Json[]).find((e) => e.name === "KAFKA_CLIENT_ID")?.value;
  const users = all.filter((m) => m.kind === "KafkaUser" && m.metadata.name === clientId);
  if (users.length !== 1)
    throw new Error(`${source}: expected one KafkaUser ${clientId}, found ${users.length}`);
  return {
    kafkaUser: users[0] as Json,
    topics: all
      .filter((m) => m.kind === "KafkaTopic")
      .map((m) => m.spec.topicName ?? m.metadata.name) as string[],
    externalSecrets: all.filter((m) => m.kind === "ExternalSecret" && m.metadata.namespace === namespace),
  };
}

function one(source: string, all: Json[], kind: string, filter: (m: Json) => boolean = () => true): Json {
  const found = all.filter((m) => m.kind === kind && filter(m));
  if (found.length !== 1) throw new Error(`${source}: expected one ${kind}, found ${found.length}`);
  return found[0] as Json;
}

function containerNamed(source: string, pod: Json, name: string): Json {
  const container = (pod.containers as Json[]).find((c) => c.name === name);
  if (!container) throw new Error(`${source}: no container ${name}`);
  return container;
}

/** The default configuration's KServe objects of its (one) deployment. */
export function kserveServingManifest(): ServingManifest {
  const source = "the default configuration";
  const all = allManifests(synthPlatform().stacks);
  const isvc = one(source, all, "InferenceService", (m) => m.metadata.labels?.[TRACK_LABEL] === "stable");
  const pod = isvc.spec.predictor as Json;
  const container = containerNamed(source, pod, KSERVE_CONTAINER_NAME);
  return {
    source,
    isvc,
    pod,
    container,
    route: one(source, all, "HTTPRoute", (m) => m.metadata.name === isvc.metadata.labels[DEPLOYMENT_LABEL]),
    ...kafkaParts(source, all, container, isvc.metadata.namespace),
  };
}

/** `pod` is the ServerConfig's podSpec with its volumeClaimTemplates as claims (what the StatefulSet gets). */
export interface SeldonServerManifest extends ServerManifest {
  readonly serverConfig: Json;
  /** Seldon's agent beside it, whose env names the server's ports. */
  readonly agent: Json;
}

/** The default configuration with engine seldon (licence acknowledged; an S3 model, as Seldon requires). */
export function seldonServingManifest(modelUri: string): SeldonServerManifest {
  const source = "the default configuration with addons.serving.engine seldon";
  const serving = EMBEDDED_DEFAULT.addons?.serving ?? {};
  const doc = {
    ...EMBEDDED_DEFAULT,
    addons: {
      ...EMBEDDED_DEFAULT.addons,
      serving: {
        ...serving,
        engine: "seldon",
        seldon: { acknowledgeBusinessSourceLicense: true },
        deployments: { readmission: { model: { uri: modelUri } } },
      },
    },
  };
  const all = allManifests(synthPlatform(doc).stacks);
  const serverConfig = one(source, all, "ServerConfig", (m) => m.metadata.name.endsWith("-readmission"));
  const spec = serverConfig.spec.podSpec as Json;
  const claims = ((serverConfig.spec.volumeClaimTemplates ?? []) as Json[]).map((t) => ({
    name: t.name ?? t.metadata?.name,
    persistentVolumeClaim: { claimName: t.name ?? t.metadata?.name },
  }));
  const pod = { ...spec, volumes: [...((spec.volumes ?? []) as Json[]), ...claims] };
  const container = containerNamed(source, pod, SELDON_SERVER_CONTAINER_NAME);
  return {
    source,
    serverConfig,
    pod,
    container,
    agent: containerNamed(source, pod, "agent"),
    ...kafkaParts(source, all, container, serverConfig.metadata.namespace),
  };
}
