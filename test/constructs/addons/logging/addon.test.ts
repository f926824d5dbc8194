import { describe, expect, it } from "vitest";
import { loggingAddOn } from "../../../../constructs/addons/logging";
import { all } from "../../../support/manifests";
import { monitoringStub } from "../external-secrets/support";
import { eckRelease, eckValues, manifests, policies, synthLogging } from "./support";

const OPERATOR = { "mlops.io/component": "eck-operator" };
const ES = { "elasticsearch.k8s.elastic.co/cluster-name": "logs" };

describe("logging add-on (eck)", () => {
  it("installs the pinned ECK operator in elastic-system, watching only the logging namespace", () => {
    const { json, outputs } = synthLogging();
    expect(eckRelease(json)).toMatchObject({
      chart: "eck-operator",
      version: "3.5.0",
      repository: "https://helm.elastic.co",
      namespace: "elastic-system",
      name: "elastic-operator",
    });
    const v = eckValues(json);
    expect(v.managedNamespaces).toEqual(["logging"]);
    expect(v.podLabels).toEqual(OPERATOR);
    expect(v.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "256Mi" } });
    expect(v.podSecurityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(v.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(outputs).toMatchObject({
      mode: "eck",
      elasticsearchUrl: "https://logs-es-http.logging.svc:9200",
      elasticUserSecret: "logs-es-elastic-user",
      httpCaSecret: "logs-es-http-certs-public",
      kibanaService: "logs-kb-http",
    });
  });

  it("creates both namespaces PSS restricted with a default-deny policy", () => {
    const { json } = synthLogging();
    for (const ns of ["elastic-system", "logging"]) {
      const [n] = all(json, "kubernetes_namespace_v1").filter((r) => r.metadata.name === ns);
      expect(n.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
      expect(policies(json)[`${ns}/default-deny`].spec.policy_types).toEqual(["Ingress", "Egress"]);
    }
  });

  it("admits the API server to the webhook and the operator to Elasticsearch (9200) and Kibana (5601) only", () => {
    const p = policies(useDefault());
    const webhook = p["elastic-system/allow-ingress-webhook"].spec;
    expect(webhook.pod_selector.match_labels).toEqual(OPERATOR);
    expect(webhook.ingress[0].ports).toEqual([{ port: "9443", protocol: "TCP" }]);
    expect(webhook.ingress[0].from[0].ip_block.cidr).toMatch(/\/\d+$/);
    const egress = p["elastic-system/allow-egress-managed-stack"].spec.egress[0];
    expect(egress.ports.map((x: { port: string }) => x.port)).toEqual(["9200", "5601"]);
    expect(egress.to[0].namespace_selector.match_labels).toEqual({
      "kubernetes.io/metadata.name": "logging",
    });
    const toEs = p["logging/allow-ingress-operator-elasticsearch"].spec;
    expect(toEs.pod_selector.match_labels).toEqual(ES);
    expect(toEs.ingress[0]).toEqual({
      from: [
        {
          namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "elastic-system" } },
          pod_selector: { match_labels: OPERATOR },
        },
      ],
      ports: [{ port: "9200", protocol: "TCP" }],
    });
    expect(p["logging/allow-ingress-operator-kibana"].spec.ingress[0].ports).toEqual([
      { port: "5601", protocol: "TCP" },
    ]);
    // Elasticsearch reaches only S3/STS (HTTPS) beyond its namespace.
    expect(p["logging/allow-egress-elasticsearch-aws-apis"].spec).toMatchObject({
      pod_selector: { match_labels: ES },
      egress: [{ ports: [{ port: "443", protocol: "TCP" }] }],
    });
  });

  it("admits Grafana to Elasticsearch only when the monitoring add-on is present", () => {
    expect(policies(useDefault())["logging/allow-ingress-grafana-elasticsearch"]).toBeUndefined();
    const { json } = synthLogging({}, { extra: [monitoringStub] });
    const grafana = policies(json)["logging/allow-ingress-grafana-elasticsearch"].spec;
    expect(grafana.pod_selector.match_labels).toEqual(ES);
    expect(grafana.ingress[0].from[0]).toEqual({
      namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "monitoring" } },
      pod_selector: { match_labels: { "app.kubernetes.io/name": "grafana" } },
    });
  });

  it("emits the Elasticsearch and Kibana resources and the bootstrap ConfigMap and Job as manifests", () => {
    const json = useDefault();
    expect(manifests(json, "Elasticsearch")).toHaveLength(1);
    expect(manifests(json, "Kibana")).toHaveLength(1);
    expect(manifests(json, "Job")).toHaveLength(1);
    expect(manifests(json, "ConfigMap")).toHaveLength(1);
  });

  it("without snapshots: no bucket, no role, no service account, no AWS egress for Elasticsearch", () => {
    const { json, outputs } = synthLogging({ eck: { snapshots: { enabled: false } } });
    expect(all(json, "aws_s3_bucket")).toEqual([]);
    expect(all(json, "aws_iam_role")).toEqual([]);
    expect(all(json, "kubernetes_service_account_v1").map((a) => a.metadata.name)).toEqual([
      "log-writer-copier",
    ]);
    expect(policies(json)["logging/allow-egress-elasticsearch-aws-apis"]).toBeUndefined();
    expect(outputs.snapshots).toBeUndefined();
  });

  it("depends on external-secrets and storage", () => {
    expect(loggingAddOn().dependsOn).toEqual(["external-secrets", "storage"]);
  });
});

let cached: ReturnType<typeof synthLogging>["json"] | undefined;
function useDefault() {
  cached ??= synthLogging().json;
  return cached;
}
