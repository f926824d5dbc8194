import { describe, expect, it } from "vitest";
import { parseLoggingConfig } from "../../../../../constructs/addons/logging";
import { kibanaResource } from "../../../../../constructs/addons/logging/eck/kibana";
import type { Json } from "../support";

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
