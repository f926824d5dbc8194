import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { COLLECTOR_METRICS_PORT } from "../../../../../constructs/addons/logging/collector/names";
import { SCRAPED_PLATFORM_PORTS } from "../../../../../constructs/addons/monitoring";
import { all } from "../../../../support/manifests";
import { eckValues, type Json, manifests, policies, synthLogging } from "../support";

describe("collector wiring (eck)", () => {
  const { json, outputs } = synthLogging();
  const release = all(json, "helm_release").find((r) => r.chart === "fluent-bit") as Json;

  it("installs the collector in its own namespace, writing to the ECK service with the log-writer's Secrets", () => {
    expect(release).toMatchObject({ namespace: "logging-collector", wait: false, atomic: false });
    const conf = JSON.stringify(parseYaml(release.values[0]));
    expect(conf).toContain("logs-es-http.logging.svc");
    expect(conf).toContain("log-writer-credentials");
    expect(conf).toContain("elasticsearch-http-ca");
    expect(conf).toContain("logs-containers");
    expect(outputs.collector.namespace.name).toBe("logging-collector");
    expect(eckValues(json).managedNamespaces).toEqual(["logging"]);
  });

  it("loads the log-writer user and its role into Elasticsearch through spec.auth", () => {
    const [es] = manifests(json, "Elasticsearch");
    expect(es.spec.auth).toEqual({
      fileRealm: [{ secretName: "log-writer-user" }],
      roles: [{ secretName: "log-writer-role" }],
    });
    const user = manifests(json, "ExternalSecret").find((e) => e.metadata.name === "log-writer-user") as Json;
    expect(user.metadata.namespace).toBe("logging");
    expect(user.spec.target.template).toMatchObject({
      type: "kubernetes.io/basic-auth",
      data: { username: "log-writer", roles: "log-writer" },
    });
    const [role] = all(json, "kubernetes_secret_v1").filter((r) => r.metadata.name === "log-writer-role");
    expect(parseYaml(role.data["roles.yml"])).toEqual({
      "log-writer": {
        cluster: ["monitor"],
        indices: [{ names: ["logs-containers-*"], privileges: ["create_doc", "create_index", "index"] }],
      },
    });
  });

  it("copies only the credentials and the CA into the collector's namespace, reading only those two Secrets", () => {
    const [store] = manifests(json, "SecretStore").filter((m) => m.metadata.name === "log-writer-source");
    expect(store.metadata.namespace).toBe("logging-collector");
    expect(store.spec.provider.kubernetes).toMatchObject({
      remoteNamespace: "logging",
      auth: { serviceAccount: { name: "log-writer-copier" } },
    });
    const copies = manifests(json, "ExternalSecret").filter(
      (m) => m.metadata.namespace === "logging-collector",
    );
    expect(
      copies.map((c) => [
        c.metadata.name,
        c.spec.data.map((d: Json) => `${d.remoteRef.key}/${d.remoteRef.property}`),
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["log-writer-credentials", ["log-writer-user/username", "log-writer-user/password"]],
        ["elasticsearch-http-ca", ["logs-es-http-certs-public/ca.crt"]],
      ]),
    );
    expect(copies).toHaveLength(2);
    const [rbac] = all(json, "kubernetes_role_v1").filter((r) =>
      r.metadata.name.endsWith("log-writer-copier"),
    );
    expect(rbac.rule).toEqual([
      {
        api_groups: [""],
        resources: ["secrets"],
        resource_names: ["log-writer-user", "logs-es-http-certs-public"],
        verbs: ["get"],
      },
    ]);
  });

  it("is scraped by Prometheus on the collector's metrics port", () => {
    expect(SCRAPED_PLATFORM_PORTS).toContain(COLLECTOR_METRICS_PORT);
  });

  it("admits the collector's pods to Elasticsearch on 9200 only", () => {
    const p = policies(json)["logging/allow-ingress-collector-elasticsearch"].spec;
    expect(p.pod_selector.match_labels).toEqual({ "elasticsearch.k8s.elastic.co/cluster-name": "logs" });
    expect(p.ingress[0]).toEqual({
      from: [
        {
          namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "logging-collector" } },
          pod_selector: { match_labels: { "app.kubernetes.io/name": "fluent-bit" } },
        },
      ],
      ports: [{ port: "9200", protocol: "TCP" }],
    });
  });
});
