import { describe, expect, it } from "vitest";
import {
  monitoringAddOn,
  platformAlertRules,
  SCRAPED_PLATFORM_PORTS,
  SERVING_ADDON_ID,
} from "../../../../constructs/addons/monitoring";
import { all, named } from "../../../support/manifests";
import {
  ALL_RECEIVERS,
  type Json,
  manifests,
  monitoringRelease,
  monitoringValues,
  synthMonitoring,
} from "./support";

const policies = (json: Json) =>
  Object.fromEntries(all(json, "kubernetes_network_policy_v1").map((p) => [p.metadata.name, p]));

describe("monitoring add-on", () => {
  it("installs the pinned chart in the monitoring namespace and does not wait for the ESO Secrets", () => {
    const { json } = synthMonitoring();
    const r = monitoringRelease(json);
    expect(r).toMatchObject({ chart: "kube-prometheus-stack", version: "88.5.3", namespace: "monitoring" });
    expect(r.wait).toBe(false);
    expect(r.depends_on.some((d: string) => d.includes("kubernetes_namespace_v1"))).toBe(true);
    expect(r.depends_on.filter((d: string) => d.includes("kubernetes_namespace_v1"))).toHaveLength(2);
  });

  it("Prometheus: encrypted gp3 volume, retention from config, selectors over every platform namespace", () => {
    const { json } = synthMonitoring({
      prometheus: { retention: "30d", retentionSize: "80GB", storageGiB: 100 },
    });
    const spec = monitoringValues(json).prometheus.prometheusSpec;
    expect(spec).toMatchObject({ replicas: 1, retention: "30d", retentionSize: "80GB" });
    expect(spec.storageSpec.volumeClaimTemplate.spec).toMatchObject({
      storageClassName: "gp3",
      resources: { requests: { storage: "100Gi" } },
    });
    for (const k of ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"]) {
      expect(spec[`${k}SelectorNilUsesHelmValues`]).toBe(false);
      expect(spec[`${k}Selector`]).toEqual({});
      expect(spec[`${k}NamespaceSelector`]).toEqual({ matchLabels: { "mlops.io/platform": "true" } });
    }
    expect(spec.resources.requests).toEqual({ cpu: "500m", memory: "2Gi" });
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("runs 2 Prometheus and Alertmanager replicas in prod", () => {
    const v = monitoringValues(synthMonitoring({}, { platform: { environment: "prod" } }).json);
    expect(v.prometheus.prometheusSpec.replicas).toBe(2);
    expect(v.alertmanager.alertmanagerSpec.replicas).toBe(2);
  });

  it("Alertmanager reads every receiver secret from a file of a Secret synced by External Secrets", () => {
    const { json } = synthMonitoring(ALL_RECEIVERS);
    const am = monitoringValues(json).alertmanager;
    const secrets = [
      "alertmanager-oncall",
      "alertmanager-team-slack",
      "alertmanager-mail",
      "alertmanager-hook",
    ];
    expect(am.alertmanagerSpec.secrets).toEqual(secrets);
    const receivers = Object.fromEntries(am.config.receivers.map((r: Json) => [r.name, r]));
    expect(receivers.oncall.pagerduty_configs[0].routing_key_file).toBe(
      "/etc/alertmanager/secrets/alertmanager-oncall/routing-key",
    );
    expect(receivers["team-slack"].slack_configs[0].api_url_file).toBe(
      "/etc/alertmanager/secrets/alertmanager-team-slack/api-url",
    );
    expect(receivers.mail.email_configs[0].auth_password_file).toBe(
      "/etc/alertmanager/secrets/alertmanager-mail/password",
    );
    expect(receivers.hook.webhook_configs[0].http_config.authorization.credentials_file).toMatch(
      /hook\/token$/,
    );
    expect(am.config.route.receiver).toBe("team-slack");
    expect(am.config.route.routes.map((r: Json) => r.receiver)).toEqual(["null", "oncall", "mail", "hook"]);
    for (const name of secrets) {
      const es = manifests(json, "ExternalSecret").find((m) => m.metadata.name === name);
      expect(es?.metadata.namespace).toBe("monitoring");
    }
    const pd = manifests(json, "ExternalSecret").find((m) => m.metadata.name === "alertmanager-oncall");
    expect(pd?.spec.target.template.data).toEqual({ "routing-key": "{{ .routingKey }}" });
    expect(pd?.spec.dataFrom[0].extract.key).toMatch(/secret:pagerduty-/);
    // Nothing of a secret reaches the values: only ARNs (in ExternalSecrets), never in the chart values.
    expect(monitoringRelease(json).values[0]).not.toMatch(/secretsmanager|hooks\.slack/);
  });

  it("Grafana: admin from External Secrets, no anonymous access, Alertmanager and Elasticsearch data sources", () => {
    const { json } = synthMonitoring({
      grafana: { elasticsearch: { url: "https://logs-es-http.logging.svc:9200" } },
    });
    const g = monitoringValues(json).grafana;
    expect(g.admin).toEqual({
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    expect(g.adminPassword).toBeUndefined();
    expect(g["grafana.ini"]["auth.anonymous"]).toEqual({ enabled: false });
    expect(g.sidecar.dashboards).toMatchObject({
      enabled: true,
      label: "grafana_dashboard",
      searchNamespace: "ALL",
    });
    expect(g.sidecar.datasources).toMatchObject({
      defaultDatasourceEnabled: true,
      alertmanager: { enabled: true },
    });
    expect(g.additionalDataSources).toEqual([
      expect.objectContaining({ type: "elasticsearch", url: "https://logs-es-http.logging.svc:9200" }),
    ]);
    const admin = manifests(json, "ExternalSecret").find((m) => m.metadata.name === "grafana-admin");
    expect(admin?.metadata.namespace).toBe("monitoring");
    expect(manifests(json, "Password").length).toBeGreaterThan(0);
    expect(policies(json)["allow-egress-elasticsearch"].spec.egress[0].ports).toEqual([
      { port: "9200", protocol: "TCP" },
    ]);
  });

  it("syncs a given Grafana admin secret instead of generating one", () => {
    const { json } = synthMonitoring({
      grafana: { adminSecretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:g-AbCdEf" },
    });
    const admin = manifests(json, "ExternalSecret").find((m) => m.metadata.name === "grafana-admin");
    expect(admin?.spec.target.template.data).toEqual({
      "admin-user": "{{ .username }}",
      "admin-password": "{{ .password }}",
    });
  });

  it("puts node-exporter alone in a privileged namespace, everything else under restricted", () => {
    const { json } = synthMonitoring();
    const ns = Object.fromEntries(
      all(json, "kubernetes_namespace_v1").map((n) => [n.metadata.name, n.metadata]),
    );
    expect(ns.monitoring.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(ns["monitoring-node-exporter"].labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(ns["monitoring-node-exporter"].annotations["mlops.io/pod-security-reason"]).toMatch(/hostPath/);
    expect(monitoringValues(json)["prometheus-node-exporter"].namespaceOverride).toBe(
      "monitoring-node-exporter",
    );
  });

  it("sets CPU and memory requests on every component", () => {
    const v = monitoringValues(synthMonitoring().json);
    for (const r of [
      v.prometheus.prometheusSpec.resources,
      v.alertmanager.alertmanagerSpec.resources,
      v.grafana.resources,
      v.grafana.sidecar.resources,
      v.prometheusOperator.resources,
      v.prometheusOperator.prometheusConfigReloader.resources,
      v.prometheusOperator.admissionWebhooks.patch.resources,
      v["kube-state-metrics"].resources,
      v["prometheus-node-exporter"].resources,
    ]) {
      expect(Object.keys(r.requests).sort()).toEqual(["cpu", "memory"]);
    }
  });

  it("lets Prometheus reach the scraped ports and nothing more", () => {
    const { json } = synthMonitoring(ALL_RECEIVERS);
    const p = policies(json);
    const targets = p["allow-egress-prometheus-platform-targets"].spec;
    expect(targets.pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "prometheus" });
    expect(targets.egress[0].ports.map((x: Json) => Number(x.port))).toEqual([...SCRAPED_PLATFORM_PORTS]);
    expect(SCRAPED_PLATFORM_PORTS).toEqual([
      2020, 5000, 7979, 8080, 8888, 9000, 9090, 9102, 9400, 9402, 9404, 10250,
    ]);
    expect(targets.egress[0].to[0].namespace_selector.match_labels).toEqual({ "mlops.io/platform": "true" });
    const nodes = p["allow-egress-prometheus-node-targets"].spec.egress[0];
    expect(nodes.ports.map((x: Json) => x.port)).toEqual(["10250", "9100"]);
    expect(nodes.to[0].ip_block.cidr).toBeDefined();
    // SMTP 587 and the webhook's 8443 (plain-hook's 8080 too), for Alertmanager only.
    const receivers = p["allow-egress-alert-receivers"].spec;
    expect(receivers.pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "alertmanager" });
    expect(receivers.egress[0].ports.map((x: Json) => x.port)).toEqual(["587", "8080", "8443"]);
    expect(p["allow-ingress-operator-webhook"].spec.ingress[0].ports).toEqual([
      { port: "10250", protocol: "TCP" },
    ]);
    expect(
      named(json, "kubernetes_network_policy_v1", "allow-ingress-prometheus").metadata.namespace,
    ).toContain("NodeExporterNamespace");
  });

  it("emits the PrometheusRules a rules source gives it, and no duplicates", () => {
    const group = { name: "g", rules: [{ alert: "X", expr: "up == 0", labels: { severity: "warning" } }] };
    const { json, outputs } = synthMonitoring(
      {},
      { rules: () => [{ name: "platform-kafka", groups: [group] }] },
    );
    const rules = manifests(json, "PrometheusRule");
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      metadata: { name: "platform-kafka", namespace: "monitoring" },
      spec: { groups: [group] },
    });
    expect(Object.keys(outputs.rules)).toEqual(["platform-kafka"]);
    expect(() =>
      synthMonitoring(
        {},
        {
          rules: () => [
            { name: "a", groups: [] },
            { name: "a", groups: [] },
          ],
        },
      ),
    ).toThrow(/PrometheusRule "a" emitted twice/);
  });

  it("emits the kit's alert rules only for the add-ons the platform runs (Kubernetes rules always)", () => {
    const stub = (id: string) => ({ id, deploy: () => ({}) });
    const alone = synthMonitoring({}, { rules: platformAlertRules() });
    expect(manifests(alone.json, "PrometheusRule").map((m) => m.metadata.name)).toEqual([
      "platform-kubernetes",
    ]);
    const all = synthMonitoring(
      {},
      {
        rules: platformAlertRules(),
        // The GPU rules query DCGM's metrics: they follow the exporter, not the device plugin.
        extra: ["kafka", "mlflow", "airflow", "nvidia-device-plugin", "dcgm-exporter", SERVING_ADDON_ID].map(
          stub,
        ),
      },
    );
    expect(Object.keys(all.outputs.rules)).toEqual([
      "platform-kafka",
      "platform-mlflow",
      "platform-airflow",
      "platform-kubernetes",
      "platform-gpu",
      "platform-inference",
    ]);
    for (const rule of manifests(all.json, "PrometheusRule")) {
      expect(rule.metadata.namespace).toBe("monitoring");
      for (const g of rule.spec.groups) for (const r of g.rules) expect(r.labels.severity).toBeDefined();
    }
  });

  it("emits the inference rules with the serving add-on, or without it when rules.inference.enabled says so", () => {
    const names = (r: ReturnType<typeof synthMonitoring>) => Object.keys(r.outputs.rules);
    const serving = { id: SERVING_ADDON_ID, deploy: () => ({}) };
    expect(names(synthMonitoring({}, { rules: platformAlertRules() }))).not.toContain("platform-inference");
    expect(
      names(
        synthMonitoring(
          {},
          { rules: platformAlertRules({ inference: { enabled: true, namespace: "models" } }) },
        ),
      ),
    ).toContain("platform-inference");
    expect(
      names(
        synthMonitoring(
          {},
          { rules: platformAlertRules({ inference: { enabled: false } }), extra: [serving] },
        ),
      ),
    ).not.toContain("platform-inference");
    const withServing = synthMonitoring({}, { rules: platformAlertRules(), extra: [serving] });
    const [inference] = manifests(withServing.json, "PrometheusRule").filter(
      (m) => m.metadata.name === "platform-inference",
    );
    expect(inference.spec.groups.map((g: { name: string }) => g.name)).toEqual([
      "inference",
      "inference-model-quality",
    ]);
  });

  it("depends on external-secrets and the storage class add-on", () => {
    expect(monitoringAddOn().dependsOn).toEqual(["external-secrets", "storage"]);
  });
});
