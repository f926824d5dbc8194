import { parse } from "yaml";
import {
  type CollectorConfigInput,
  type CollectorOutput,
  type ElasticsearchCollectorOutput,
  LogCollector,
  type LogCollectorProps,
  logCollectorRole,
  type OpenSearchServiceCollectorOutput,
  parseCollectorConfig,
} from "../../../../../constructs/addons/logging/collector";
import { testClusterContext } from "../../../../support/cluster";
import type { Json } from "../../../../support/manifests";
import { onlyResource, type SynthJson, synthStack } from "../../../../support/synth";

export const ES_OUTPUT: ElasticsearchCollectorOutput = {
  kind: "elasticsearch",
  host: "logs-es-http.logging.svc",
  indexPrefix: "logs-containers",
  pipeline: "logs-containers",
  credentialsSecretName: "fluent-bit-writer",
  caSecretName: "logs-es-http-ca",
  backendNamespace: "logging",
};

export const OPENSEARCH_OUTPUT: OpenSearchServiceCollectorOutput = {
  kind: "opensearch-service",
  endpoint: "vpc-acme-dev-logs-abc123.eu-west-1.es.amazonaws.com",
  region: "eu-west-1",
  indexPrefix: "logs-containers",
  pipeline: "logs-containers",
  roleArn: "arn:aws:iam::123456789012:role/acme-dev-log-collector",
};

export interface SynthOptions extends Partial<Omit<LogCollectorProps, "config" | "cluster" | "output">> {
  readonly output?: CollectorOutput | "opensearch-with-role";
}

/**
 * The collector alone in a stack, built as the logging add-on will build it. `"opensearch-with-role"` creates
 * the IRSA role with `logCollectorRole` and hands its (unresolved) ARN to the output, as the wiring does.
 */
export function synthCollector(config: CollectorConfigInput = {}, options: SynthOptions = {}) {
  let collector: LogCollector | undefined;
  const json = synthStack((stack) => {
    const cluster = testClusterContext(stack);
    const wanted = options.output ?? ES_OUTPUT;
    const output: CollectorOutput =
      wanted === "opensearch-with-role"
        ? { ...OPENSEARCH_OUTPUT, roleArn: logCollectorRole("LogCollectorRole", { cluster }).roleArn }
        : wanted;
    collector = new LogCollector(stack, "LogCollector", {
      ...options,
      config: parseCollectorConfig(config),
      cluster,
      output,
    });
  });
  return { json, collector: collector as LogCollector };
}

/** The release's values as Helm receives them (one YAML document). */
export function releaseValues(json: SynthJson): Json {
  const release = onlyResource(json, "helm_release");
  return parse(String((release.values as string[])[0])) as Json;
}

export interface ParsedSection {
  readonly kind: string;
  readonly entries: [string, string][];
  get(key: string): string | undefined;
}

/** A classic Fluent Bit configuration read back: `[KIND]` headers, then indented `key value` lines. */
export function parseFluentBitConfig(text: string): ParsedSection[] {
  const sections: ParsedSection[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[([A-Z_]+)\]$/.exec(line);
    if (header) {
      const entries: [string, string][] = [];
      sections.push({
        kind: header[1] as string,
        entries,
        get: (key) => entries.find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1],
      });
      continue;
    }
    const current = sections.at(-1);
    if (!current || !/^\s{4}\S/.test(raw))
      throw new Error(`not a Fluent Bit config line: ${JSON.stringify(raw)}`);
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`entry without a value: ${JSON.stringify(raw)}`);
    current.entries.push([m[1] as string, m[2] as string]);
  }
  return sections;
}

/** Every section of the release's Fluent Bit configuration, in the order fluent-bit.conf has them. */
export function fluentBitSections(values: Json): ParsedSection[] {
  const c = values.config;
  return parseFluentBitConfig([c.service, c.inputs, c.filters, c.outputs].join("\n"));
}

export function onlySection(sections: ParsedSection[], kind: string, name?: string): ParsedSection {
  const found = sections.filter((s) => s.kind === kind && (name === undefined || s.get("Name") === name));
  if (found.length !== 1) throw new Error(`expected one [${kind}] ${name ?? ""}, found ${found.length}`);
  return found[0] as ParsedSection;
}
