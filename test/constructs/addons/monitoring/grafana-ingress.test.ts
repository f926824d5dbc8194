import { describe, expect, it } from "vitest";
import { monitoringAddOn } from "../../../../constructs/addons/monitoring";
import { TEST_PLATFORM } from "../../../support/cluster";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { resourcesOf } from "../../../support/synth";
import { type Json, monitoringRelease, monitoringValues, synthMonitoring } from "./support";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
const INGRESS = { host: "grafana.internal.example.com", certificateArn: CERT };

describe("monitoring add-on: Grafana ingress", () => {
  const { json } = synthMonitoring({ grafana: { ingress: INGRESS } });
  const grafana = monitoringValues(json).grafana;

  it("is an internal ALB on the Grafana subchart's ingress, health-checked on /api/health", () => {
    expect(grafana.ingress).toMatchObject({
      enabled: true,
      ingressClassName: "alb",
      hosts: ["grafana.internal.example.com"],
      path: "/",
      pathType: "Prefix",
    });
    expect(grafana.ingress.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/inbound-cidrs": TEST_PLATFORM.vpcCidr,
      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/certificate-arn": CERT,
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/healthcheck-path": "/api/health",
    });
    expect(grafana["grafana.ini"].server).toEqual({ root_url: "https://grafana.internal.example.com" });
  });

  it("admits the ALB (the VPC) to Grafana's port 3000 only, after the controller is installed", () => {
    const lb = (Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as Json[]).find(
      (p) => p.metadata.name === "allow-ingress-load-balancer",
    ) as Json;
    expect(lb.spec.ingress).toEqual([
      { from: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "3000", protocol: "TCP" }] },
    ]);
    expect(lb.spec.pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "grafana" });
    expect(monitoringRelease(json).depends_on).toContainEqual(
      expect.stringMatching(/^helm_release\..*aws-load-balancer-controller_Release/),
    );
  });

  it("is internet-facing only for the listed CIDRs", () => {
    const v = monitoringValues(
      synthMonitoring({
        grafana: { ingress: { ...INGRESS, scheme: "internet-facing", allowedCidrs: ["198.51.100.0/24"] } },
      }).json,
    );
    expect(v.grafana.ingress.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internet-facing",
      "alb.ingress.kubernetes.io/inbound-cidrs": "198.51.100.0/24",
    });
  });

  it("has no ingress, root URL or controller dependency without one", () => {
    const v = monitoringValues(synthMonitoring().json);
    expect(v.grafana.ingress).toBeUndefined();
    expect(v.grafana["grafana.ini"].server).toBeUndefined();
    expect(monitoringAddOn().dependsOn).toEqual(["external-secrets", "storage"]);
    expect(monitoringAddOn({ grafana: { ingress: INGRESS } }).dependsOn).toEqual([
      "external-secrets",
      "storage",
      "aws-load-balancer-controller",
    ]);
  });

  it("fails when an internet-facing Grafana ingress has no certificate, naming the path", () => {
    expect(() =>
      monitoringAddOn({
        grafana: { ingress: { host: "grafana.example.com", scheme: "internet-facing" } as never },
      }),
    ).toThrow(/addons\.monitoring\.grafana\.ingress\.certificateArn: required/);
  });
});

describeWithSchemas("monitoring add-on with a Grafana ingress against the reference data", () => {
  it("validates every Helm value (both releases) and Kubernetes object", () => {
    const { json } = synthMonitoring({ grafana: { ingress: INGRESS } });
    const report = expectValidStack(json);
    expect(report.checked.HelmRelease).toBe(Object.keys(resourcesOf(json, "helm_release")).length);
  });
});
