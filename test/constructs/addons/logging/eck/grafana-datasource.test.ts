import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { resolveLogBackend } from "../../../../../constructs/addons/logging/backend";
import { datasourceTemplate } from "../../../../../constructs/addons/logging/eck/writer-access";
import { all } from "../../../../support/manifests";
import { monitoringStub } from "../../external-secrets/support";
import { type Json, manifests, synthLogging } from "../support";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIQ\nabc+/=\n-----END CERTIFICATE-----\n";

/** What ESO's template engine does with the two actions the template uses (sprig's nindent). */
function render(template: string, password: string, ca: string): string {
  const nindent = (n: number, s: string) =>
    `\n${s
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => " ".repeat(n) + l)
      .join("\n")}`;
  return template.replace("{{ .password }}", password).replace("{{ .ca | nindent 8 }}", nindent(8, ca));
}

describe("Grafana's Elasticsearch data source (eck, with monitoring)", () => {
  const { json, outputs } = synthLogging({}, { extra: [monitoringStub] });

  it("renders a provisioning file Grafana can read: TLS verified with the CA, basic auth as grafana-reader", () => {
    const file = parseYaml(
      render(
        datasourceTemplate(
          "https://logs-es-http.logging.svc:9200",
          resolveLogBackend({ retentionInDays: 3 }),
        ),
        "pw",
        CA,
      ),
    );
    expect(file.datasources[0]).toEqual({
      name: "Logs",
      uid: "logs-elasticsearch",
      type: "elasticsearch",
      access: "proxy",
      url: "https://logs-es-http.logging.svc:9200",
      basicAuth: true,
      basicAuthUser: "grafana-reader",
      jsonData: { index: "logs-containers-*", timeField: "@timestamp", tlsAuthWithCACert: true },
      secureJsonData: { basicAuthPassword: "pw", tlsCACert: CA },
    });
  });

  it("is a Secret in monitoring labelled for the datasource sidecar, rendered by External Secrets", () => {
    const ds = manifests(json, "ExternalSecret").find(
      (m) => m.metadata.name === "elasticsearch-logs-datasource",
    ) as Json;
    expect(ds.metadata.namespace).toBe("monitoring");
    expect(ds.spec.target.template.metadata.labels).toEqual({ grafana_datasource: "1" });
    expect(ds.spec.data).toEqual([
      { secretKey: "password", remoteRef: { key: "grafana-reader-user", property: "password" } },
      { secretKey: "ca", remoteRef: { key: "logs-es-http-certs-public", property: "ca.crt" } },
    ]);
    expect(outputs.grafanaDatasource?.datasourceSecretName).toBe("elasticsearch-logs-datasource");
  });

  it("queries as a read-only user loaded through spec.auth, never as elastic", () => {
    const [es] = manifests(json, "Elasticsearch");
    expect(es.spec.auth.fileRealm).toEqual([
      { secretName: "log-writer-user" },
      { secretName: "grafana-reader-user" },
    ]);
    expect(es.spec.auth.roles).toEqual([
      { secretName: "log-writer-role" },
      { secretName: "grafana-reader-role" },
    ]);
    const [role] = all(json, "kubernetes_secret_v1").filter((r) => r.metadata.name === "grafana-reader-role");
    expect(parseYaml(role.data["roles.yml"])["grafana-reader"].indices).toEqual([
      { names: ["logs-containers-*"], privileges: ["read", "view_index_metadata"] },
    ]);
    expect(JSON.stringify(ds())).not.toMatch(/es-elastic-user/);
  });

  it("lets Grafana's pods reach Elasticsearch on 9200", () => {
    const [np] = manifests(json, "NetworkPolicy");
    expect(np.metadata).toEqual({
      name: "allow-egress-grafana-logging-elasticsearch",
      namespace: "monitoring",
    });
    expect(np.spec.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "grafana" } });
    expect(np.spec.egress[0].ports).toEqual([{ port: "9200", protocol: "TCP" }]);
  });

  it("is absent without the monitoring add-on", () => {
    const plain = synthLogging().json;
    expect(manifests(plain, "ExternalSecret").map((m) => m.metadata.name)).not.toContain(
      "elasticsearch-logs-datasource",
    );
    expect(manifests(plain, "NetworkPolicy")).toEqual([]);
  });

  function ds() {
    return manifests(json, "ExternalSecret").filter((m) => m.metadata.namespace === "monitoring");
  }
});
