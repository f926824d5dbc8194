import { describe, expect, it } from "vitest";
import { parseLoggingConfig } from "../../../../../constructs/addons/logging";
import { kibanaResource } from "../../../../../constructs/addons/logging/eck/kibana";
import { TEST_PLATFORM } from "../../../../support/cluster";
import { resourcesOf } from "../../../../support/synth";
import { type Json, manifests, synthLogging } from "../support";

const kibana = (config = {}, production = false) =>
  kibanaResource({ config: parseLoggingConfig(config), namespace: "logging", production }) as Json;

describe("Kibana resource", () => {
  it("connects to the kit's Elasticsearch and allows only basic login, no anonymous provider", () => {
    const k = kibana();
    expect(k).toMatchObject({ apiVersion: "kibana.k8s.elastic.co/v1", kind: "Kibana" });
    expect(k.spec.version).toBe("9.5.0");
    expect(k.spec.elasticsearchRef).toEqual({ name: "logs" });
    expect(k.spec.config["xpack.security.authc.providers"]).toEqual({ basic: { basic1: { order: 0 } } });
    expect(JSON.stringify(k)).not.toMatch(/anonymous/);
    expect(k.spec.http.tls.selfSignedCertificate.disabled).toBe(false);
  });

  it("runs 1 replica, 2 in prod, or the configured count", () => {
    expect(kibana().spec.count).toBe(1);
    expect(kibana({}, true).spec.count).toBe(2);
    expect(kibana({ eck: { kibana: { replicas: 3 } } }, false).spec.count).toBe(3);
  });

  it("has resources and restricted security contexts", () => {
    const pod = kibana({ eck: { kibana: { resources: { cpu: "1", memory: "2Gi" } } } }).spec.podTemplate.spec;
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: { memory: "2Gi" },
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });
});

describe("Kibana ingress", () => {
  const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
  const { json } = synthLogging({
    eck: { kibana: { ingress: { host: "kibana.internal.example.com", certificateArn: CERT } } },
  });

  it("is an internal ALB to Kibana's HTTPS Service, health-checked on /login over HTTPS", () => {
    const [ingress] = manifests(json, "Ingress");
    expect(ingress.metadata).toMatchObject({ name: "kibana", namespace: "logging" });
    expect(ingress.metadata.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/inbound-cidrs": TEST_PLATFORM.vpcCidr,
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/certificate-arn": CERT,
      "alb.ingress.kubernetes.io/backend-protocol": "HTTPS",
      "alb.ingress.kubernetes.io/healthcheck-protocol": "HTTPS",
      "alb.ingress.kubernetes.io/healthcheck-path": "/login",
    });
    expect(ingress.spec.ingressClassName).toBe("alb");
    expect(ingress.spec.rules[0]).toEqual({
      host: "kibana.internal.example.com",
      http: {
        paths: [
          {
            path: "/",
            pathType: "Prefix",
            backend: { service: { name: "logs-kb-http", port: { number: 5601 } } },
          },
        ],
      },
    });
  });

  it("tells Kibana its public address and admits the ALB (the VPC) on 5601 only", () => {
    const [k] = manifests(json, "Kibana");
    expect(k.spec.config["server.publicBaseUrl"]).toBe("https://kibana.internal.example.com");
    const lb = (Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as Json[]).find(
      (p) => p.metadata.name === "allow-ingress-load-balancer",
    ) as Json;
    expect(lb.spec.ingress).toEqual([
      { from: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "5601", protocol: "TCP" }] },
    ]);
    expect(lb.spec.pod_selector.match_labels).toEqual({ "kibana.k8s.elastic.co/name": "logs" });
  });

  it("has no Ingress, public URL or load balancer policy without one", () => {
    const plain = synthLogging().json;
    expect(manifests(plain, "Ingress")).toEqual([]);
    expect(manifests(plain, "Kibana")[0].spec.config["server.publicBaseUrl"]).toBeUndefined();
    expect(JSON.stringify(resourcesOf(plain, "kubernetes_network_policy_v1"))).not.toContain("load-balancer");
  });

  it("fails when a Kibana ingress is set in mode opensearch-service", () => {
    expect(() =>
      parseLoggingConfig({
        mode: "opensearch-service",
        eck: { kibana: { ingress: { host: "kibana.example.com", certificateArn: CERT } } },
      }),
    ).toThrow(/addons\.logging\.eck\.kibana\.ingress: Kibana runs only in mode "eck"/);
  });
});
