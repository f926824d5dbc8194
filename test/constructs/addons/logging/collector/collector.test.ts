import { describe, expect, it } from "vitest";
import {
  COLLECTOR_PATHS,
  COLLECTOR_RBAC_RULES,
  collectorPeer,
  ECS_RECORD_FUNCTION,
  ECS_RECORD_SCRIPT,
} from "../../../../../constructs/addons/logging/collector";
import { CHARTS } from "../../../../../constructs/core/charts";
import { all, type Json, named } from "../../../../support/manifests";
import { onlyResource, resourcesOf } from "../../../../support/synth";
import {
  ES_OUTPUT,
  fluentBitSections,
  OPENSEARCH_OUTPUT,
  onlySection,
  releaseValues,
  synthCollector,
} from "./support";

const policyNames = (json: ReturnType<typeof synthCollector>["json"]) =>
  all(json, "kubernetes_network_policy_v1")
    .map((p) => p.metadata.name)
    .sort();

describe("LogCollector", () => {
  const { json } = synthCollector();
  const values = releaseValues(json);
  const sections = fluentBitSections(values);

  it("installs the pinned fluent-bit chart into its own namespace, after the namespace and its ClusterRole", () => {
    const release = onlyResource(json, "helm_release") as Json;
    expect(release).toMatchObject({
      chart: "fluent-bit",
      repository: CHARTS.fluentBit.repository,
      version: "0.58.1",
      namespace: "logging-collector",
      name: "fluent-bit",
    });
    expect(release.depends_on).toEqual([
      expect.stringContaining("kubernetes_namespace_v1"),
      expect.stringContaining("kubernetes_cluster_role_v1"),
    ]);
    expect(values.kind).toBe("DaemonSet");
    // Its Secrets and its backend come after the add-ons: waiting for ready pods would time out.
    expect(release).toMatchObject({ wait: false, atomic: false });
  });

  it("the namespace is privileged only for the host paths, with the reason written on it", () => {
    const ns = named(json, "kubernetes_namespace_v1", "logging-collector");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(ns.metadata.annotations["mlops.io/pod-security-reason"]).toMatch(/hostPath \/var\/log, read-only/);
  });

  it("RBAC: reads pods and namespaces only, never Secrets; the chart's own RBAC is off", () => {
    expect(values.rbac).toEqual({ create: false });
    const role = onlyResource(json, "kubernetes_cluster_role_v1") as Json;
    expect(role.rule).toEqual([
      { api_groups: [""], resources: ["namespaces", "pods"], verbs: ["get", "list", "watch"] },
    ]);
    const granted = (role.rule as Json[]).flatMap((r) => r.resources as string[]);
    expect(granted).not.toContain("secrets");
    expect(granted).not.toContain("*");
    expect(granted).not.toContain("nodes/proxy");
    expect((role.rule as Json[]).flatMap((r) => r.verbs)).not.toContain("*");
    expect(COLLECTOR_RBAC_RULES.flatMap((r) => r.resources)).not.toContain("secrets");
    const binding = onlyResource(json, "kubernetes_cluster_role_binding_v1") as Json;
    expect(binding.subject).toEqual([
      { kind: "ServiceAccount", name: "fluent-bit", namespace: "logging-collector" },
    ]);
    expect(binding.role_ref.name).toContain("kubernetes_cluster_role_v1");
    expect(values.serviceAccount).toMatchObject({ create: true, name: "fluent-bit" });
  });

  it("host paths: /var/log read-only; only the state directory (tail DB, buffer) is writable", () => {
    const hostPaths = (values.daemonSetVolumes as Json[]).filter((v) => v.hostPath);
    expect(hostPaths.map((v) => v.hostPath.path).sort()).toEqual([
      COLLECTOR_PATHS.hostState,
      COLLECTOR_PATHS.hostLogs,
    ]);
    const mounts = values.daemonSetVolumeMounts as Json[];
    for (const v of hostPaths) {
      const mount = mounts.find((m) => m.name === v.name) as Json;
      expect(mount.readOnly, v.hostPath.path).toBe(v.hostPath.path !== COLLECTOR_PATHS.hostState);
    }
    const writable = mounts.filter((m) => m.readOnly !== true).map((m) => m.mountPath);
    expect(writable).toEqual([COLLECTOR_PATHS.hostState]);
    // What Fluent Bit writes lies under that mount; everything else is the read-only root filesystem.
    const service = onlySection(sections, "SERVICE");
    const tail = onlySection(sections, "INPUT", "tail");
    for (const path of [service.get("storage.path"), tail.get("DB")])
      expect(path?.startsWith(`${COLLECTOR_PATHS.hostState}/`)).toBe(true);
  });

  it("the container: not privileged, no escalation, no capabilities, read-only root, RuntimeDefault seccomp", () => {
    expect(values.securityContext).toMatchObject({
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(values.securityContext.capabilities.add).toBeUndefined();
    expect(values.podSecurityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(values.hostNetwork).toBeUndefined();
  });

  it("requests CPU and memory, limits memory, from the configuration", () => {
    const v = releaseValues(
      synthCollector({ resources: { cpuRequest: "200m", memoryRequest: "256Mi", memoryLimit: "1Gi" } }).json,
    );
    expect(v.resources).toEqual({ requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } });
    expect(values.resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { memory: "512Mi" },
    });
  });

  it("runs on every node whatever its taints", () => {
    expect(values.tolerations).toEqual([{ operator: "Exists" }]);
    expect(values.priorityClassName).toBe("system-node-critical");
  });

  it("tails every container log with the cri parser into the filesystem buffer, resuming from its DB", () => {
    const tail = onlySection(sections, "INPUT", "tail");
    expect(tail.get("Path")).toBe("/var/log/containers/*.log");
    expect(tail.get("multiline.parser")).toBe("cri");
    expect(tail.get("storage.type")).toBe("filesystem");
    expect(tail.get("Read_from_Head")).toBe("On");
    // Filesystem buffering: memory is bounded by chunks up (64 MiB / 2 MiB), not by Mem_Buf_Limit.
    expect(tail.get("Mem_Buf_Limit")).toBeUndefined();
    expect(onlySection(sections, "SERVICE").get("storage.max_chunks_up")).toBe("32");
    expect(tail.get("Exclude_Path")).toBeUndefined();
    expect(sections.filter((s) => s.kind === "INPUT")).toHaveLength(1);
  });

  it("adds Kubernetes metadata without merging the line (the backend's pipeline parses it), then shapes it in Lua", () => {
    const k8s = onlySection(sections, "FILTER", "kubernetes");
    expect(k8s.get("Merge_Log")).toBe("Off");
    expect(k8s.get("Use_Kubelet")).toBe("Off");
    expect(k8s.get("K8S-Logging.Exclude")).toBe("Off");
    const lua = onlySection(sections, "FILTER", "lua");
    expect(lua.get("script")).toBe(`${COLLECTOR_PATHS.scripts}/${ECS_RECORD_SCRIPT}`);
    expect(lua.get("call")).toBe(ECS_RECORD_FUNCTION);
    expect(values.luaScripts[ECS_RECORD_SCRIPT]).toContain(`function ${ECS_RECORD_FUNCTION}(`);
    const filters = sections.filter((s) => s.kind === "FILTER").map((s) => s.get("Name"));
    expect(filters).toEqual(["kubernetes", "lua"]);
  });

  it("buffer size, memory buffer, retry limit and excluded namespaces come from the configuration", () => {
    const s = fluentBitSections(
      releaseValues(
        synthCollector({
          bufferSizeMiB: 4096,
          memBufLimitMiB: 100,
          retryLimit: 12,
          excludedNamespaces: ["kube-system", "sandbox"],
        }).json,
      ),
    );
    const out = onlySection(s, "OUTPUT");
    expect(out.get("storage.total_limit_size")).toBe("4096M");
    expect(out.get("Retry_Limit")).toBe("12");
    const tail = onlySection(s, "INPUT", "tail");
    expect(onlySection(s, "SERVICE").get("storage.max_chunks_up")).toBe("50");
    expect(tail.get("Exclude_Path")).toBe(
      "/var/log/containers/*_kube-system_*.log,/var/log/containers/*_sandbox_*.log",
    );
    // Defaults: nothing dropped while the backend is away, 2 GiB of node disk.
    const def = onlySection(sections, "OUTPUT");
    expect(def.get("Retry_Limit")).toBe("no_limits");
    expect(def.get("storage.total_limit_size")).toBe("2048M");
  });

  it("Elasticsearch: TLS verified with the mounted CA, basic auth from env fed by secretKeyRef", () => {
    const out = onlySection(sections, "OUTPUT", "es");
    expect(Object.fromEntries(out.entries)).toMatchObject({
      Host: "logs-es-http.logging.svc",
      Port: "9200",
      Logstash_Format: "On",
      Logstash_Prefix: "logs-containers",
      Logstash_DateFormat: "%Y.%m.%d",
      Pipeline: "logs-containers",
      Suppress_Type_Name: "On",
      tls: "On",
      "tls.verify": "On",
      "tls.ca_file": "/fluent-bit/tls/ca.crt",
      // Terraform writes `${…}` for `$${…}`: Fluent Bit reads the variables from its environment.
      HTTP_User: "$${FLUENT_ES_USERNAME}",
      HTTP_Passwd: "$${FLUENT_ES_PASSWORD}",
    });
    expect(out.get("AWS_Auth")).toBeUndefined();
    expect(values.env).toEqual([
      {
        name: "FLUENT_ES_USERNAME",
        valueFrom: { secretKeyRef: { name: "fluent-bit-writer", key: "username" } },
      },
      {
        name: "FLUENT_ES_PASSWORD",
        valueFrom: { secretKeyRef: { name: "fluent-bit-writer", key: "password" } },
      },
    ]);
    const ca = (values.daemonSetVolumes as Json[]).find((v) => v.secret) as Json;
    expect(ca.secret).toEqual({ secretName: "logs-es-http-ca", items: [{ key: "ca.crt", path: "ca.crt" }] });
    expect(values.serviceAccount.annotations).toEqual({});
  });

  it("Elasticsearch: key names of the Secrets as given", () => {
    const v = releaseValues(
      synthCollector(
        {},
        { output: { ...ES_OUTPUT, usernameKey: "user", passwordKey: "pass", caKey: "tls.ca", port: 9243 } },
      ).json,
    );
    expect(v.env.map((e: Json) => e.valueFrom.secretKeyRef.key)).toEqual(["user", "pass"]);
    expect((v.daemonSetVolumes as Json[]).find((x) => x.secret)?.secret.items).toEqual([
      { key: "tls.ca", path: "ca.crt" },
    ]);
    expect(onlySection(fluentBitSections(v), "OUTPUT").get("Port")).toBe("9243");
  });

  it("OpenSearch Service: SigV4 through the IRSA role annotated on the service account, no Secrets at all", () => {
    const { json: os } = synthCollector({}, { output: "opensearch-with-role" });
    const v = releaseValues(os);
    const out = onlySection(fluentBitSections(v), "OUTPUT", "opensearch");
    expect(Object.fromEntries(out.entries)).toMatchObject({
      Host: OPENSEARCH_OUTPUT.endpoint,
      Port: "443",
      AWS_Auth: "On",
      AWS_Region: "eu-west-1",
      AWS_Service_Name: "es",
      AWS_STS_Endpoint: "https://sts.eu-west-1.amazonaws.com",
      tls: "On",
      "tls.verify": "On",
      Logstash_Prefix: "logs-containers",
      Pipeline: "logs-containers",
      Suppress_Type_Name: "On",
      Retry_Limit: "no_limits",
    });
    expect(out.get("HTTP_User")).toBeUndefined();
    expect(v.env).toEqual([]);
    expect((v.daemonSetVolumes as Json[]).some((x) => x.secret)).toBe(false);
    const [roleId] = Object.keys(resourcesOf(os, "aws_iam_role"));
    expect(v.serviceAccount.annotations).toEqual({
      "eks.amazonaws.com/role-arn": `\${aws_iam_role.${roleId}.arn}`,
    });
  });

  it("no credential in the values: every secret value comes from a secretKeyRef", () => {
    for (const output of [ES_OUTPUT, OPENSEARCH_OUTPUT]) {
      const v = releaseValues(synthCollector({}, { output }).json);
      for (const e of v.env as Json[]) {
        expect(e.value).toBeUndefined();
        expect(Object.keys(e.valueFrom)).toEqual(["secretKeyRef"]);
      }
      const outputs = v.config.outputs as string;
      expect(outputs).not.toMatch(/HTTP_Passwd\s+(?!\$\$\{)/);
      expect(outputs).not.toMatch(/AWS_Secret|aws_access_key/i);
    }
  });

  it("nothing in the config for Helm's tpl to expand", () => {
    for (const text of [
      ...Object.values(values.config as Record<string, string>),
      ...Object.values(values.luaScripts as Record<string, string>),
    ])
      expect(text).not.toContain("{{");
  });

  it("network: HTTPS (API server) and Elasticsearch's port in its namespace only; Prometheus only with monitoring", () => {
    expect(policyNames(json)).toEqual(["allow-egress-elasticsearch", "allow-egress-https", "default-deny"]);
    const es = named(json, "kubernetes_network_policy_v1", "allow-egress-elasticsearch");
    expect(es.spec.pod_selector).toEqual({ match_labels: { "app.kubernetes.io/name": "fluent-bit" } });
    expect(es.spec.egress).toEqual([
      {
        to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "logging" } } }],
        ports: [{ port: "9200", protocol: "TCP" }],
      },
    ]);
    expect(values.serviceMonitor).toEqual({ enabled: false });

    const { json: withMonitoring } = synthCollector({}, { monitoring: true, output: OPENSEARCH_OUTPUT });
    expect(policyNames(withMonitoring)).toEqual([
      "allow-egress-https",
      "allow-ingress-prometheus",
      "default-deny",
    ]);
    const prom = named(withMonitoring, "kubernetes_network_policy_v1", "allow-ingress-prometheus");
    expect(prom.spec.ingress[0].ports).toEqual([{ port: "2020", protocol: "TCP" }]);
    expect(prom.spec.ingress[0].from[0].namespace_selector).toEqual({
      match_labels: { "kubernetes.io/metadata.name": "monitoring" },
    });
    expect(releaseValues(withMonitoring).serviceMonitor).toEqual({ enabled: true });
  });

  it("names its pods as a peer the Elasticsearch namespace can admit", () => {
    const { collector } = synthCollector({}, { namespace: "logs-agent" });
    expect(collector.peer).toEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "logs-agent" } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": "fluent-bit" } },
    });
    expect(collectorPeer()).toEqual({
      ...collector.peer,
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "logging-collector" } },
    });
  });

  it("merges config.helm.values over the kit's and passes the release options", () => {
    const { json: j } = synthCollector({ helm: { values: { logLevel: "debug" }, timeoutInSeconds: 600 } });
    expect(releaseValues(j).logLevel).toBe("debug");
    expect((onlyResource(j, "helm_release") as Json).timeout).toBe(600);
  });

  it("fails when the Elasticsearch host carries a scheme", () => {
    expect(() => synthCollector({}, { output: { ...ES_OUTPUT, host: "https://logs-es-http" } })).toThrow(
      'LogCollector output.host: got "https://logs-es-http"; expected a host name without scheme or port',
    );
  });

  it("fails when the output kind is unknown", () => {
    expect(() =>
      synthCollector(
        {},
        { output: { ...OPENSEARCH_OUTPUT, kind: "loki" } as unknown as typeof OPENSEARCH_OUTPUT },
      ),
    ).toThrow(/output\.kind: got "loki"; expected "elasticsearch" or "opensearch-service"/);
  });

  it("fails when the index prefix is not an index name", () => {
    expect(() => synthCollector({}, { output: { ...ES_OUTPUT, indexPrefix: "Logs" } })).toThrow(
      /output\.indexPrefix: got "Logs"/,
    );
  });

  it("fails when the chart version leaves the pin's policy", () => {
    expect(() => synthCollector({ helm: { chartVersion: "0.59.0" } })).toThrow(
      /addons\.logging\.collector\.helm\.chartVersion: got "0\.59\.0"/,
    );
  });
});

describe("logCollectorRole", () => {
  it("trusts exactly the collector's service account through the cluster's OIDC provider, with no identity policy", () => {
    const { json } = synthCollector({}, { output: "opensearch-with-role" });
    const doc = Object.values(json.data?.aws_iam_policy_document ?? {})[0] as Json;
    const conditions = doc.statement[0].condition as Json[];
    expect(conditions).toContainEqual(
      expect.objectContaining({ values: ["system:serviceaccount:logging-collector:fluent-bit"] }),
    );
    expect(resourcesOf(json, "aws_iam_role_policy")).toEqual({});
    expect(resourcesOf(json, "aws_iam_role_policy_attachment")).toEqual({});
  });
});
