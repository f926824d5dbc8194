import { DataAwsMskBrokerNodes } from "@cdktf/provider-aws/lib/data-aws-msk-broker-nodes";
import { Fn, TerraformIterator } from "cdktf";
import type { Construct } from "constructs";
import { MSK_PORTS } from "./msk-cluster";

/**
 * Prometheus scraping MSK open monitoring (the JMX exporter on 11001 and the node exporter on 11002 of every
 * broker), for the monitoring add-on's Prometheus.
 *
 * Targets: the brokers' DNS names from `aws_msk_broker_nodes` (every broker; the bootstrap string may list
 * only some). The data source lives in the platform stack next to the cluster and reaches the ScrapeConfigs,
 * which are custom resources in the manifests stack, as a cross-stack output: that stack is planned after the
 * platform stack is applied, so the targets are known when `kubernetes_manifest` plans them. DNS service
 * discovery cannot list MSK brokers (no SRV or multi-address name covers them), and EC2 discovery does not see
 * them (they live in an AWS-owned account).
 */

/**
 * The monitoring add-on's namespace and its Prometheus pods' labels (constructs/addons/monitoring/names.ts,
 * not imported: the monitoring add-on imports this folder). A test checks that both agree.
 */
export const PROMETHEUS_NAMESPACE = "monitoring";
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus" } as const;

/** Prometheus job names of the two exporters (the `job` label of their series). */
export const MSK_SCRAPE_JOBS = { jmx: "msk-jmx-exporter", node: "msk-node-exporter" } as const;

type Manifest = Record<string, unknown>;

/** `host:port` of every broker for each exporter, as Terraform expressions over the broker list. */
export function mskScrapeTargets(scope: Construct, clusterArn: string): { jmx: string[]; node: string[] } {
  const nodes = new DataAwsMskBrokerNodes(scope, "MskBrokerNodes", { clusterArn });
  const brokers = TerraformIterator.fromComplexList(nodes.nodeInfoList, "broker_id");
  // `val` is the for expression's element: one broker with its DNS `endpoints`.
  const at = (port: number) =>
    Fn.flatten(brokers.forExpressionForList(`formatlist("%s:${port}", val.endpoints)`) as never) as never;
  return { jmx: at(MSK_PORTS.jmxExporter), node: at(MSK_PORTS.nodeExporter) };
}

/** One ScrapeConfig per exporter, in the monitoring namespace, labelled with the cluster's name. */
export function mskScrapeConfigs(
  targets: { jmx: string[]; node: string[] },
  clusterName: string,
): Manifest[] {
  return (["jmx", "node"] as const).map((exporter) => ({
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "ScrapeConfig",
    metadata: { name: MSK_SCRAPE_JOBS[exporter], namespace: PROMETHEUS_NAMESPACE },
    spec: {
      jobName: MSK_SCRAPE_JOBS[exporter],
      // Open monitoring serves plain HTTP inside the VPC; the brokers' security group admits only the cluster.
      scheme: "HTTP",
      metricsPath: "/metrics",
      scrapeInterval: "60s",
      staticConfigs: [{ targets: targets[exporter], labels: { kafka_cluster: clusterName } }],
    },
  }));
}

/**
 * Prometheus' egress to the brokers' exporter ports in the VPC. On top of the monitoring namespace's
 * default-deny; only the Prometheus pods, only these two ports.
 */
export function mskPrometheusEgress(vpcCidr: string): Manifest {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-egress-prometheus-msk", namespace: PROMETHEUS_NAMESPACE },
    spec: {
      podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: vpcCidr } }],
          ports: [MSK_PORTS.jmxExporter, MSK_PORTS.nodeExporter].map((port) => ({ port, protocol: "TCP" })),
        },
      ],
    },
  };
}
