import { describe, expect, it } from "vitest";
import { parseLoggingConfig } from "../../../../../constructs/addons/logging";
import {
  elasticsearchResource,
  nodeSetHeap,
} from "../../../../../constructs/addons/logging/eck/elasticsearch";
import { type Json, manifests, synthLogging } from "../support";

const es = (config = {}, roleArn?: string) =>
  elasticsearchResource({
    config: parseLoggingConfig(config),
    namespace: "logging",
    snapshotRoleArn: roleArn,
  }) as Json;
const container = (set: Json) => set.podTemplate.spec.containers[0];

describe("Elasticsearch resource", () => {
  it("runs the pinned version with security and ECK's self-signed HTTP TLS", () => {
    const r = es();
    expect(r).toMatchObject({ apiVersion: "elasticsearch.k8s.elastic.co/v1", kind: "Elasticsearch" });
    expect(r.metadata).toMatchObject({ name: "logs", namespace: "logging" });
    expect(r.spec.version).toBe("9.5.0");
    expect(r.spec.http.tls.selfSignedCertificate.disabled).toBe(false);
    expect(JSON.stringify(r)).not.toMatch(/xpack\.security\.enabled|anonymous/);
  });

  it("builds one node set per configured set with count, roles, resources and an encrypted gp3 claim", () => {
    const r = es({
      eck: {
        nodeSets: {
          masters: { count: 3, roles: ["master"], memory: "2Gi", cpu: "500m", storageGiB: 10 },
          data: { count: 4, roles: ["data", "ingest"], memory: "16Gi", storageGiB: 500 },
        },
      },
    });
    expect(r.spec.nodeSets.map((s: Json) => [s.name, s.count, s.config["node.roles"]])).toEqual([
      ["masters", 3, ["master"]],
      ["data", 4, ["data", "ingest"]],
    ]);
    const data = r.spec.nodeSets[1];
    expect(container(data).resources).toEqual({
      requests: { cpu: "1", memory: "16Gi" },
      limits: { memory: "16Gi" },
    });
    expect(data.volumeClaimTemplates).toEqual([
      {
        metadata: { name: "elasticsearch-data" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: "gp3",
          resources: { requests: { storage: "500Gi" } },
        },
      },
    ]);
  });

  it("sets ES_JAVA_OPTS from the derived heap, or the configured one", () => {
    const r = es({ eck: { nodeSets: { a: { memory: "8Gi" }, b: { memory: "8Gi", heap: "3g" } } } });
    const opts = (i: number) =>
      container(r.spec.nodeSets[i]).env.find((e: Json) => e.name === "ES_JAVA_OPTS").value;
    expect(opts(0)).toBe("-Xms4096m -Xmx4096m");
    expect(opts(1)).toBe("-Xms3g -Xmx3g");
    expect(nodeSetHeap(parseLoggingConfig({}).eck.nodeSets.default)).toBe("2048m");
  });

  it("spreads each node set over the zones and turns on zone-aware shard allocation", () => {
    const set = es().spec.nodeSets[0];
    expect(set.podTemplate.spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: {
          matchLabels: {
            "elasticsearch.k8s.elastic.co/cluster-name": "logs",
            "elasticsearch.k8s.elastic.co/statefulset-name": "logs-es-default",
          },
        },
      },
    ]);
    expect(set.config["cluster.routing.allocation.awareness.attributes"]).toBe("k8s_node_name,zone");
    // Terraform's escape: the applied manifest reads ${ZONE}, resolved by Elasticsearch from the pod env.
    expect(set.config["node.attr.zone"]).toBe("$${ZONE}");
    expect(container(set).env).toContainEqual({
      name: "ZONE",
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['topology.kubernetes.io/zone']" } },
    });
    expect(es().metadata.annotations["eck.k8s.elastic.co/downward-node-labels"]).toBe(
      "topology.kubernetes.io/zone",
    );
  });

  it("needs no privileged init container: mmap off, restricted pod and container security contexts", () => {
    const set = es().spec.nodeSets[0];
    expect(set.config["node.store.allow_mmap"]).toBe(false);
    expect(set.podTemplate.spec.initContainers).toBeUndefined();
    expect(set.podTemplate.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      fsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container(set).securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
    });
    expect(JSON.stringify(set)).not.toMatch(/privileged":true|max_map_count/);
  });

  it("with a snapshot role: the IRSA service account and a projected STS token where repository-s3 reads it", () => {
    const spec = es({}, "arn:aws:iam::123456789012:role/snap").spec.nodeSets[0].podTemplate.spec;
    expect(spec.serviceAccountName).toBe("elasticsearch");
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.volumes).toEqual([
      {
        name: "aws-web-identity-token",
        projected: {
          sources: [
            {
              serviceAccountToken: {
                audience: "sts.amazonaws.com",
                expirationSeconds: 86400,
                path: "aws-web-identity-token-file",
              },
            },
          ],
        },
      },
    ]);
    const c = spec.containers[0];
    expect(c.volumeMounts).toEqual([
      {
        name: "aws-web-identity-token",
        mountPath: "/usr/share/elasticsearch/config/repository-s3",
        readOnly: true,
      },
    ]);
    expect(c.env).toContainEqual({ name: "AWS_ROLE_ARN", value: "arn:aws:iam::123456789012:role/snap" });
    const none = es().spec.nodeSets[0].podTemplate.spec;
    expect(none.serviceAccountName).toBeUndefined();
    expect(none.volumes).toBeUndefined();
  });

  it("in the synthesized add-on, the role ARN is the snapshot role's", () => {
    const [r] = manifests(synthLogging().json, "Elasticsearch");
    const env = r.spec.nodeSets[0].podTemplate.spec.containers[0].env;
    expect(env.find((e: Json) => e.name === "AWS_ROLE_ARN").value).toMatch(
      /^\$\{aws_iam_role\..*logging-snapshots.*\.arn\}$/,
    );
  });
});
