/**
 * MSK mode with monitoring: open monitoring scraped by the kit's Prometheus. ScrapeConfigs whose targets come
 * from `aws_msk_broker_nodes` through a cross-stack output, the brokers' security group admitting the exporter
 * ports from the cluster security group only, and Prometheus' egress to them.
 */
import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import {
  MSK_SCRAPE_JOBS,
  PROMETHEUS_NAMESPACE,
  PROMETHEUS_POD_LABELS,
} from "../../../../constructs/addons/kafka/msk-monitoring";
import { MONITORING_NAMESPACE, MONITORING_POD_LABELS } from "../../../../constructs/addons/monitoring";
import { deepMerge } from "../../../../constructs/core/merge";
import { validateCustomResource } from "../../../../scripts/validation";
import { synthPlatform } from "../../../support/platform";
import { countKind, describeWithSchemas } from "../../../support/schemas";
import type { Json } from "./support";

const msk = (monitoring: boolean) =>
  synthPlatform(
    deepMerge(EMBEDDED_DEFAULT, {
      addons: { kafka: { enabled: true, mode: "msk" }, monitoring: { enabled: monitoring } },
    }),
  );
const on = msk(true);
const manifestsOf = (p: ReturnType<typeof msk>, kind: string): Json[] =>
  Object.values((p.resources?.resource?.kubernetes_manifest ?? {}) as Record<string, Json>)
    .map((r) => r.manifest)
    .filter((m) => m.kind === kind);
const of = (json: Json, section: string, type: string): Json[] => Object.values(json[section]?.[type] ?? {});

describe("MSK open monitoring with the monitoring add-on", () => {
  const scrapeConfigs = manifestsOf(on, "ScrapeConfig");

  it("enables the JMX and node exporters on the brokers", () => {
    const [cluster] = of(on.platform, "resource", "aws_msk_cluster");
    expect(cluster.open_monitoring.prometheus).toEqual({
      jmx_exporter: { enabled_in_broker: true },
      node_exporter: { enabled_in_broker: true },
    });
  });

  it("admits 11001 and 11002 into the brokers' security group from the cluster security group only", () => {
    const rules = of(on.platform, "resource", "aws_vpc_security_group_ingress_rule").filter((r) =>
      [11001, 11002].includes(r.from_port),
    );
    expect(rules).toHaveLength(2);
    for (const r of rules) {
      expect(r.to_port).toBe(r.from_port);
      expect(r.referenced_security_group_id).toMatch(/cluster_security_group_id|remote_state/);
      expect(r.cidr_ipv4).toBeUndefined();
    }
  });

  it("scrapes every broker: one ScrapeConfig per exporter, targets from aws_msk_broker_nodes via the platform stack", () => {
    expect(scrapeConfigs.map((m) => [m.metadata.namespace, m.metadata.name, m.spec.jobName])).toEqual([
      ["monitoring", MSK_SCRAPE_JOBS.jmx, MSK_SCRAPE_JOBS.jmx],
      ["monitoring", MSK_SCRAPE_JOBS.node, MSK_SCRAPE_JOBS.node],
    ]);
    const [nodes] = of(on.platform, "data", "aws_msk_broker_nodes");
    expect(nodes.cluster_arn).toMatch(/^\$\{aws_msk_cluster\..*\.arn\}$/);
    // The broker list leaves the platform stack as an output and is read back from its state.
    const outputs = Object.values((on.platform.output ?? {}) as Record<string, Json>).map((o) => o.value);
    expect(outputs).toContainEqual(
      expect.stringMatching(/^\$\{data\.aws_msk_broker_nodes\..*\.node_info_list\}$/),
    );
    const [jmx, node] = scrapeConfigs.map((m) => m.spec.staticConfigs[0]);
    expect(jmx.targets).toMatch(
      /^\$\{flatten\(\[ for key, val in .*terraform_remote_state.*node_info_list.*formatlist\("%s:11001", val\.endpoints\)\]\)\}$/,
    );
    expect(node.targets).toMatch(/formatlist\("%s:11002", val\.endpoints\)/);
    expect(jmx.labels).toEqual({ kafka_cluster: "mlops-dev-kafka" });
  });

  it("lets only Prometheus out to the VPC, only on 11001 and 11002", () => {
    const [policy] = manifestsOf(on, "NetworkPolicy").filter(
      (m) => m.metadata.name === "allow-egress-prometheus-msk",
    );
    expect(policy.metadata.namespace).toBe(MONITORING_NAMESPACE);
    expect(policy.spec.podSelector.matchLabels).toEqual(MONITORING_POD_LABELS.prometheus);
    expect(policy.spec.policyTypes).toEqual(["Egress"]);
    expect(policy.spec.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: expect.stringMatching(/vpc_cidr|remote_state|^10\./) } }],
        ports: [
          { port: 11001, protocol: "TCP" },
          { port: 11002, protocol: "TCP" },
        ],
      },
    ]);
  });

  it("names the monitoring add-on's namespace and Prometheus labels as that add-on does", () => {
    expect(PROMETHEUS_NAMESPACE).toBe(MONITORING_NAMESPACE);
    expect(PROMETHEUS_POD_LABELS).toEqual(MONITORING_POD_LABELS.prometheus);
  });

  it("emits nothing of it without the monitoring add-on", () => {
    const off = msk(false);
    expect(manifestsOf(off, "ScrapeConfig")).toEqual([]);
    expect(of(off.platform, "data", "aws_msk_broker_nodes")).toEqual([]);
  });
});

describeWithSchemas("the MSK ScrapeConfigs against the ScrapeConfig CRD", () => {
  const brokers = [
    "b-1.mlops.abc123.c2.kafka.eu-west-1.amazonaws.com",
    "b-2.mlops.abc123.c2.kafka.eu-west-1.amazonaws.com",
  ];
  // The targets are a Terraform expression until apply; validate the shape with what it evaluates to.
  const evaluated = (m: Json, port: number): Json =>
    deepMerge(m, {
      spec: { staticConfigs: [{ ...m.spec.staticConfigs[0], targets: brokers.map((b) => `${b}:${port}`) }] },
    });

  it("validates each, with the broker list the expression yields", () => {
    const [jmx, node] = manifestsOf(on, "ScrapeConfig");
    for (const [m, port] of [
      [jmx, 11001],
      [node, 11002],
    ] as const) {
      const result = validateCustomResource(evaluated(m, port));
      expect(result.issues).toEqual([]);
      countKind("ScrapeConfig");
    }
  });

  it("fails when a field is not in the CRD or targets are empty", () => {
    const [jmx] = manifestsOf(on, "ScrapeConfig");
    const typo = deepMerge(evaluated(jmx, 11001), { spec: { scrapeIntervall: "1m" } });
    expect(validateCustomResource(typo).valid).toBe(false);
    const empty = deepMerge(jmx, { spec: { staticConfigs: [{ targets: [] }] } });
    expect(validateCustomResource(empty).valid).toBe(false);
  });
});
