import { describe, expect, it } from "vitest";
import {
  loggingAddOn,
  type OpenSearchLoggingOutputs,
  openSearchRequests,
} from "../../../../constructs/addons/logging";
import { resolveLogBackend } from "../../../../constructs/addons/logging/backend";
import { all } from "../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { dataOf, resourcesOf } from "../../../support/synth";
import { type Json, synthAddOns } from "../external-secrets/support";

function synthOpenSearch(config = {}) {
  const { json, outputs } = synthAddOns([loggingAddOn({ mode: "opensearch-service", ...config })]);
  return { json, outputs: outputs.get("logging") as OpenSearchLoggingOutputs };
}

describe("logging add-on (opensearch-service)", () => {
  const { json, outputs } = synthOpenSearch();

  it("needs no other add-on and runs no ECK, Elasticsearch or Kibana", () => {
    expect(loggingAddOn({ mode: "opensearch-service" }).dependsOn ?? []).toEqual([]);
    expect(all(json, "helm_release").map((r) => r.chart)).toEqual(["fluent-bit"]);
    expect(Object.keys(resourcesOf(json, "kubernetes_manifest"))).toEqual([]);
    expect(
      all(json, "kubernetes_namespace_v1")
        .map((n) => n.metadata.name)
        .sort(),
    ).toEqual(["logging", "logging-collector"]);
    expect(outputs.mode).toBe("opensearch-service");
  });

  it("builds the domain in the private subnets, admitting the cluster security group", () => {
    const [domain] = all(json, "aws_opensearch_domain");
    expect(domain.domain_name).toBe("acme-dev-logs");
    expect(domain.vpc_options.subnet_ids).toEqual(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]);
    const rules = all(json, "aws_vpc_security_group_ingress_rule");
    expect(rules.map((r) => [r.referenced_security_group_id, r.from_port])).toContainEqual([
      "sg-0123456789abcdef0",
      443,
    ]);
  });

  it("names the collector's IRSA role as the domain's writer and gives it to the collector", () => {
    const role = /\$\{aws_iam_role\.Cluster_LogCollectorRole_[0-9A-F]+\.arn\}/;
    const access = Object.entries(dataOf(json, "aws_iam_policy_document")).find(([id]) =>
      id.includes("OpenSearch_AccessPolicy"),
    )?.[1] as Json;
    const writers = access.statement.find((s: Json) => s.sid === "Writers");
    expect(writers.principals[0].identifiers).toEqual([expect.stringMatching(role)]);
    expect(writers.actions).toEqual(["es:ESHttpPost", "es:ESHttpPut", "es:ESHttpGet", "es:ESHttpHead"]);
    const [trust] = Object.entries(dataOf(json, "aws_iam_policy_document"))
      .filter(([id]) => id.includes("LogCollectorRole_TrustPolicy"))
      .map(([, d]) => d as Json);
    expect(JSON.stringify(trust)).toContain("system:serviceaccount:logging-collector:fluent-bit");
    const release = all(json, "helm_release")[0];
    expect(JSON.stringify(release.values)).toMatch(role);
    expect(outputs.collector.namespace.name).toBe("logging-collector");
  });
});

describe("opensearch-service bootstrap requests", () => {
  it("maps the writer, then loads pipeline, template (ISM flavor) and the ISM policy last", () => {
    const backend = resolveLogBackend({ retentionInDays: 7 });
    const r = openSearchRequests(backend, ["arn:aws:iam::123456789012:role/w"]);
    expect(r.map((x) => x.path).slice(-3)).toEqual([
      "/_ingest/pipeline/logs-containers",
      "/_index_template/logs-containers",
      "/_plugins/_ism/policies/logs-containers",
    ]);
    expect(r.slice(0, -3).every((x) => x.path.startsWith("/_plugins/_security/"))).toBe(true);
    const template = r[r.length - 2].body as Json;
    expect(template.template.settings["index.lifecycle.name"]).toBeUndefined();
    expect(JSON.stringify(r[r.length - 1].body)).toContain('"min_index_age":"7d"');
    expect(r[r.length - 1].keepExisting).toBe(true);
  });

  it("runs the bootstrap Job and gives the collector role the domain's writer policy", () => {
    const { json } = synthOpenSearch();
    const [job] = all(json, "kubernetes_job_v1");
    expect(job.metadata.name).toMatch(/^opensearch-bootstrap-/);
    const writer = all(json, "aws_iam_role_policy").find((p) => String(p.name).endsWith("-write")) as Json;
    expect(writer.role).toMatch(/LogCollectorRole/);
  });
});

describeWithSchemas("logging add-on (opensearch-service) against the reference schemas", () => {
  it("every Helm value and Kubernetes object validates", () => {
    const report = expectValidStack(synthOpenSearch().json);
    expect(report.checked.HelmRelease).toBe(1);
    expect(report.unchecked).toEqual([]);
  });
});
