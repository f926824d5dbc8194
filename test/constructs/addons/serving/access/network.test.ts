import { describe, expect, it } from "vitest";
import { POD_IDENTITY_AGENT } from "../../../../../constructs/addons/serving/access";
import { all, type Json, named } from "../../../../support/manifests";
import { SERVING_POD_LABELS, servingPolicies, synthAccess } from "./support";

describe("servingAccess: NetworkPolicies", () => {
  const selectsServers = (spec: Json) =>
    expect(spec.pod_selector).toEqual({ match_labels: SERVING_POD_LABELS });
  const nsPeer = (ns: string, labels?: Record<string, string>) => ({
    namespace_selector: { match_labels: { "kubernetes.io/metadata.name": ns } },
    ...(labels ? { pod_selector: { match_labels: labels } } : {}),
  });

  it("Strimzi: ingress from the gateway and Prometheus only; egress to brokers 9093, MLflow 5000, S3 443 outside the VPC, the Pod Identity agent", () => {
    const { json } = synthAccess({ kafka: {} });
    const p = servingPolicies(json);
    expect(Object.keys(p).sort()).toEqual([
      "allow-egress-serving-aws-credentials",
      "allow-egress-serving-kafka",
      "allow-egress-serving-mlflow",
      "allow-egress-serving-s3",
      "allow-ingress-serving-inference",
      "allow-ingress-serving-prometheus",
      "default-deny",
    ]);
    expect(p["default-deny"].policy_types).toEqual(["Ingress", "Egress"]);
    for (const [name, spec] of Object.entries(p)) if (name !== "default-deny") selectsServers(spec);
    expect(p["allow-ingress-serving-inference"].ingress).toEqual([
      { from: [nsPeer("envoy-gateway-system")], ports: [{ port: "8080", protocol: "TCP" }] },
    ]);
    expect(p["allow-ingress-serving-prometheus"].ingress).toEqual([
      {
        from: [nsPeer("monitoring", { "app.kubernetes.io/name": "prometheus" })],
        ports: [{ port: "8080", protocol: "TCP" }],
      },
    ]);
    expect(p["allow-egress-serving-kafka"].egress).toEqual([
      {
        to: [nsPeer("kafka", { "strimzi.io/cluster": "platform", "strimzi.io/broker-role": "true" })],
        ports: [{ port: "9093", protocol: "TCP" }],
      },
    ]);
    expect(p["allow-egress-serving-mlflow"].egress).toEqual([
      {
        to: [
          nsPeer("mlflow", { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": "mlflow" }),
        ],
        ports: [{ port: "5000", protocol: "TCP" }],
      },
    ]);
    expect(p["allow-egress-serving-s3"].egress).toEqual([
      {
        to: [{ ip_block: { cidr: "0.0.0.0/0", except: ["10.0.0.0/16"] } }],
        ports: [{ port: "443", protocol: "TCP" }],
      },
    ]);
    expect(p["allow-egress-serving-aws-credentials"].egress).toEqual([
      { to: [{ ip_block: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: [{ port: "80", protocol: "TCP" }] },
    ]);
  });

  it("Strimzi: the Kafka namespace's listener policy admits the serving namespace (both ends of the path open)", () => {
    const { json } = synthAccess({ kafka: {} });
    const ns = named(json, "kubernetes_namespace_v1", "serving");
    const clients = all(json, "kubernetes_network_policy_v1").find(
      (p) => p.metadata.name === "allow-ingress-kafka-clients",
    ) as Json;
    expect(clients.metadata.namespace).toMatch(/AddOns_kafka_Namespace/);
    const [rule] = clients.spec.ingress;
    expect(rule.ports).toEqual([{ port: "9093", protocol: "TCP" }]);
    // Every label the admitted namespaces must carry is on the serving namespace.
    for (const peer of rule.from) {
      for (const [k, v] of Object.entries(peer.namespace_selector.match_labels)) {
        expect(ns.metadata.labels[k]).toBe(v);
      }
    }
    // And the broker pods the serving egress names are the ones that policy protects.
    expect(clients.spec.pod_selector.match_labels).toEqual(
      servingPolicies(json)["allow-egress-serving-kafka"].egress[0].to[0].pod_selector.match_labels,
    );
  });

  it("MSK: Kafka egress to the VPC on 9098 only; IRSA: STS through the VPC on 443 instead of the agent", () => {
    const { json } = synthAccess({
      kafka: { mode: "msk" },
      options: (o) => ({ ...o, roleMode: "irsa", clusterCidrs: ["10.0.0.0/16", "100.64.0.0/16"] }),
    });
    const p = servingPolicies(json);
    expect(p["allow-egress-serving-kafka"].egress).toEqual([
      { to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "9098", protocol: "TCP" }] },
    ]);
    expect(p["allow-egress-serving-aws-credentials"].egress).toEqual([
      { to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "443", protocol: "TCP" }] },
    ]);
    expect(p["allow-egress-serving-s3"].egress[0].to[0].ip_block.except).toEqual([
      "10.0.0.0/16",
      "100.64.0.0/16",
    ]);
  });

  it("selects the model servers by a label key present with any value (every deployment's pods)", () => {
    const { json } = synthAccess({
      options: (o) => ({ ...o, id: "Models", pods: { labelKeys: ["mlops.io/serving-deployment"] } }),
    });
    const p = servingPolicies(json);
    expect(
      Object.keys(p)
        .filter((n) => n !== "default-deny")
        .sort(),
    ).toEqual([
      "allow-egress-models-aws-credentials",
      "allow-egress-models-mlflow",
      "allow-egress-models-s3",
      "allow-ingress-models-inference",
      "allow-ingress-models-prometheus",
    ]);
    for (const [name, spec] of Object.entries(p)) {
      if (name === "default-deny") continue;
      expect(spec.pod_selector).toEqual({
        match_expressions: [{ key: "mlops.io/serving-deployment", operator: "Exists" }],
      });
    }
  });

  it("no Prometheus or MLflow rule without those add-ons; engine pods of another namespace by label", () => {
    const { json } = synthAccess({
      monitoring: false,
      mlflow: false,
      options: (o) => ({
        ...o,
        inferencePorts: [9000, 9500],
        ingressFrom: [
          { namespace: "seldon-system", podLabels: { "app.kubernetes.io/name": "seldon-envoy" } },
        ],
      }),
    });
    const p = servingPolicies(json);
    expect(p["allow-ingress-serving-prometheus"]).toBeUndefined();
    expect(p["allow-egress-serving-mlflow"]).toBeUndefined();
    expect(p["allow-ingress-serving-inference"].ingress).toEqual([
      {
        from: [nsPeer("seldon-system", { "app.kubernetes.io/name": "seldon-envoy" })],
        ports: [
          { port: "9000", protocol: "TCP" },
          { port: "9500", protocol: "TCP" },
        ],
      },
    ]);
  });
});
