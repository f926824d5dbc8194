import { Token } from "cdktf";
import type { AddOnContext } from "../../../core/addon";
import type { KafkaOutputs } from "../../kafka/addon";
import { reads, writes } from "../../kafka/topic-access";
import { consumerGroupOf, SERVICE_TOPICS } from "./env";
import type { ServingAccessOptions } from "./serving-access";

/** One bad option: the field under the caller's path, what it was and what was expected. */
export interface ServingAccessProblem {
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const ROLE_MODES = ["irsa", "pod-identity"];
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function isCidr(value: string): boolean {
  const m = IPV4_CIDR.exec(value);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

const isPort = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
const isLabel = (v: unknown, max = 63) =>
  typeof v === "string" && (Token.isUnresolved(v) || (DNS_LABEL.test(v) && v.length <= max));

/** Problems with the options themselves and with what the platform offers them (the models zone). */
export function checkServingAccessOptions(
  context: AddOnContext,
  options: ServingAccessOptions,
): ServingAccessProblem[] {
  const out: ServingAccessProblem[] = [];
  const add = (field: string, value: unknown, expected: string) => out.push({ field, value, expected });
  if (options.id !== undefined && !/^[A-Za-z][A-Za-z0-9]{0,30}$/.test(options.id)) {
    add("id", options.id, "a construct id of letters and digits, starting with a letter (at most 31)");
  }
  const sa = options.serviceAccountName ?? "model-server";
  if (!isLabel(sa)) add("serviceAccountName", sa, "a DNS label of at most 63 characters (a-z, 0-9, '-')");
  if (options.roleMode !== undefined && !ROLE_MODES.includes(options.roleMode)) {
    add("roleMode", options.roleMode, '"pod-identity" or "irsa"');
  }
  const pods = options.pods ?? {};
  const keys = [...Object.keys(pods.matchLabels ?? {}), ...(pods.labelKeys ?? [])];
  if (keys.length === 0) {
    add(
      "pods",
      options.pods,
      "at least one label or label key of the model server pods (the NetworkPolicies must not select every pod)",
    );
  }
  for (const key of keys) {
    if (!LABEL_KEY.test(key) || (key.split("/").at(-1) as string).length > 63) {
      add(
        "pods",
        key,
        "label keys like app.kubernetes.io/name (optional DNS prefix, name of at most 63 characters)",
      );
    }
  }
  const models = context.dataLake?.buckets.models;
  if (!models) {
    add(
      "modelPrefixes",
      options.modelPrefixes,
      `a data lake with a "models" zone (zones: ${Object.keys(context.dataLake?.buckets ?? {}).join(", ") || "no data lake"})`,
    );
  }
  const prefixes = options.modelPrefixes ?? [];
  if (prefixes.length === 0) {
    add("modelPrefixes", prefixes, 'at least one key prefix of the models zone, e.g. "mlflow/"');
  }
  prefixes.forEach((prefix, i) => {
    if (typeof prefix !== "string" || !/^[^/*?$\s][^*?$\s]*$/.test(prefix) || prefix.length > 1000) {
      add(
        `modelPrefixes[${i}]`,
        prefix,
        'a non-empty key prefix like "mlflow/" without a leading "/", wildcards, "$" or whitespace (the whole bucket is never granted)',
      );
    }
  });
  if (new Set(prefixes).size !== prefixes.length) {
    add("modelPrefixes", prefixes, "each prefix once");
  }
  const ports = options.inferencePorts ?? [];
  if (ports.length === 0 || !ports.every(isPort)) {
    add("inferencePorts", ports, "one or more TCP ports (1-65535)");
  }
  const metrics = options.metricsPorts ?? [];
  if (metrics.length === 0 || !metrics.every(isPort)) {
    add("metricsPorts", metrics, "one or more TCP ports (1-65535)");
  }
  (options.ingressFrom ?? []).forEach((source, i) => {
    if (!isLabel(source.namespace)) {
      add(`ingressFrom[${i}].namespace`, source.namespace, "a namespace name (DNS label)");
    }
  });
  const cidrs = options.clusterCidrs;
  if (cidrs !== undefined) {
    if (cidrs.length === 0) add("clusterCidrs", cidrs, "at least the VPC CIDR");
    cidrs.forEach((c, i) => {
      if (!Token.isUnresolved(c) && !isCidr(c)) {
        add(`clusterCidrs[${i}]`, c, 'an IPv4 CIDR like "10.0.0.0/16"');
      }
      if (c === "0.0.0.0/0") add(`clusterCidrs[${i}]`, c, "the cluster's ranges, not every address");
    });
  }
  const fsGroup = options.fsGroup;
  if (fsGroup !== undefined && (!Number.isInteger(fsGroup) || fsGroup < 1 || fsGroup > 2_147_483_647)) {
    add("fsGroup", fsGroup, "a non-root group id (1-2147483647)");
  }
  return out;
}

/**
 * The principal must exist in `addons.kafka.access` and grant what the service does: write `predictions` and
 * `drift`, read `outcomes` in its consumer group `<principal>-outcomes`. Otherwise the KafkaUser's ACLs (or the
 * MSK grants) would refuse the service at runtime; here the configuration fails instead.
 */
export function checkServingPrincipal(kafka: KafkaOutputs, principal: string): ServingAccessProblem[] {
  const field = "kafkaPrincipal";
  if (!kafka.principals.includes(principal)) {
    return [
      {
        field,
        value: principal,
        expected: `a principal of addons.kafka.access (principals: ${kafka.principals.join(", ") || "none"})`,
      },
    ];
  }
  const out: ServingAccessProblem[] = [];
  if (kafka.mode === "strimzi" && `kafka-${principal}-reader`.length > 63) {
    out.push({ field, value: principal, expected: "a principal name of at most 50 characters" });
  }
  const access = kafka.principalAccess(principal);
  const missing = [
    ...SERVICE_TOPICS.write.filter((t) => !(t in access.topics) || !writes(access.topics[t])),
    ...SERVICE_TOPICS.read.filter((t) => !(t in access.topics) || !reads(access.topics[t])),
  ];
  if (missing.length > 0) {
    out.push({
      field,
      value: principal,
      expected: `addons.kafka.access.${principal}.topics to grant ${SERVICE_TOPICS.write.map((t) => `${t}: write`).join(", ")} and ${SERVICE_TOPICS.read.map((t) => `${t}: read`).join(", ")} (missing: ${missing.join(", ")})`,
    });
  }
  const group = consumerGroupOf(principal);
  if (!access.groupPrefixes.some((g) => group.startsWith(g))) {
    out.push({
      field,
      value: principal,
      expected: `addons.kafka.access.${principal}.groupPrefixes to cover the service's consumer group ${JSON.stringify(group)} (prefixes: ${access.groupPrefixes.join(", ") || "none"})`,
    });
  }
  return out;
}
