import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../../config";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import {
  EXTERNAL_DNS_METRICS_PORT,
  EXTERNAL_DNS_POD_LABELS,
  externalDnsAddOn,
} from "../../../../constructs/addons/external-dns";
import { SCRAPED_PLATFORM_PORTS } from "../../../../constructs/addons/monitoring/addon";
import { all, type Json, manifests } from "../../../support/manifests";
import { synthPlatform } from "../../../support/platform";
import { dataOf, onlyResource } from "../../../support/synth";
import { externalDnsValuesOf, synthExternalDns, ZONE } from "./support";

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";

/** The role's inline policy document (the aws_iam_policy_document data source it renders). */
function route53Policy(json: Json): Json {
  const docs = Object.entries(dataOf(json, "aws_iam_policy_document")).filter(([k]) =>
    k.includes("Route53Policy"),
  );
  expect(docs).toHaveLength(1);
  return docs[0][1] as Json;
}

const policies = (json: Json) =>
  Object.fromEntries(all(json, "kubernetes_network_policy_v1").map((p) => [p.metadata.name, p.spec]));

describe("ExternalDNS add-on: IAM", () => {
  const json = synthExternalDns();
  const statements = route53Policy(json).statement as Json[];

  it("lets the role change and list records of exactly one zone, the configured one", () => {
    const zoneArns = statements.flatMap((s) => s.resources as string[]).filter((r) => r !== "*");
    expect(zoneArns).toHaveLength(1);
    expect(zoneArns[0]).toMatch(
      new RegExp(`^arn:\\$\\{data\\.aws_partition\\.[^}]+\\}:route53:::hostedzone/${ZONE}$`),
    );
    expect(statements.find((s) => s.sid === "OneZoneRecords")).toMatchObject({
      effect: "Allow",
      actions: [
        "route53:ChangeResourceRecordSets",
        "route53:ListResourceRecordSets",
        "route53:ListTagsForResource",
      ],
      resources: zoneArns,
    });
  });

  it('grants on "*" only ListHostedZones (it has no resource-level permissions), and nothing else at all', () => {
    expect(statements.filter((s) => (s.resources as string[]).includes("*"))).toEqual([
      { sid: "ListZones", effect: "Allow", actions: ["route53:ListHostedZones"], resources: ["*"] },
    ]);
    expect(statements.flatMap((s) => s.actions)).toHaveLength(4);
    expect(statements.every((s) => s.effect === "Allow" && !s.not_actions && !s.not_resources)).toBe(true);
  });

  it("is an IRSA role trusting exactly external-dns/external-dns, attached inline", () => {
    const trust = Object.entries(dataOf(json, "aws_iam_policy_document")).find(([k]) =>
      k.includes("TrustPolicy"),
    );
    expect(JSON.stringify(trust?.[1])).toContain("system:serviceaccount:external-dns:external-dns");
    expect(JSON.stringify(trust?.[1])).toContain(`${ISSUER}:sub`);
    const inline = onlyResource(json, "aws_iam_role_policy") as Json;
    expect(inline.name).toBe("external-dns-route53");
    expect(inline.policy).toMatch(/Route53Policy/);
  });
});

describe("ExternalDNS add-on: release", () => {
  it("watches the configured sources and writes only the one zone, upsert-only, owned by the platform prefix", () => {
    const v = externalDnsValuesOf(synthExternalDns());
    expect(v).toMatchObject({
      provider: { name: "aws" },
      sources: ["ingress", "service"],
      policy: "upsert-only",
      registry: "txt",
      txtOwnerId: "acme-dev",
      domainFilters: [],
      extraArgs: [`--zone-id-filter=${ZONE}`],
      env: [{ name: "AWS_DEFAULT_REGION", value: "eu-west-1" }],
    });
    expect(v.serviceAccount.name).toBe("external-dns");
    expect(v.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toMatch(/aws_iam_role\..*\.arn/);
  });

  it("passes sync, the zone type, domain filters, an owner id and sources through", () => {
    const v = externalDnsValuesOf(
      synthExternalDns({
        policy: "sync",
        zoneType: "private",
        domainFilters: ["ml.example.com"],
        txtOwnerId: "acme-prod-eu",
        sources: ["ingress"],
      }),
    );
    expect(v).toMatchObject({
      policy: "sync",
      sources: ["ingress"],
      txtOwnerId: "acme-prod-eu",
      domainFilters: ["ml.example.com"],
      extraArgs: [`--zone-id-filter=${ZONE}`, "--aws-zone-type=private"],
    });
  });

  it("is PSS restricted with requests and a memory limit", () => {
    const v = externalDnsValuesOf(synthExternalDns());
    expect(v.podSecurityContext).toEqual({
      runAsNonRoot: true,
      fsGroup: 65534,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(v.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      privileged: false,
    });
    expect(v.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } });
  });

  it("admits only HTTPS egress (Route 53, STS, the API server) and no ingress without monitoring", () => {
    const p = policies(synthExternalDns());
    expect(Object.keys(p).sort()).toEqual(["allow-egress-aws-and-api-server", "default-deny"]);
    expect(p["allow-egress-aws-and-api-server"]).toMatchObject({
      pod_selector: { match_labels: EXTERNAL_DNS_POD_LABELS },
      egress: [{ ports: [{ port: "443", protocol: "TCP" }] }],
    });
  });

  it("with monitoring: a PodMonitor on 7979 and ingress to it from the platform namespaces only", () => {
    const json = synthExternalDns({}, { monitoring: true });
    const [monitor] = manifests(json, "PodMonitor");
    expect(monitor.spec.podMetricsEndpoints).toEqual([
      { portNumber: EXTERNAL_DNS_METRICS_PORT, path: "/metrics", interval: "30s" },
    ]);
    expect(policies(json)["allow-ingress-metrics"].ingress[0].ports).toEqual([
      { port: String(EXTERNAL_DNS_METRICS_PORT), protocol: "TCP" },
    ]);
    expect(SCRAPED_PLATFORM_PORTS).toContain(EXTERNAL_DNS_METRICS_PORT);
    expect(manifests(synthExternalDns(), "PodMonitor")).toEqual([]);
  });
});

describe("ExternalDNS add-on: configuration", () => {
  const fails: [string, unknown, RegExp][] = [
    ["hostedZoneId is missing", {}, /addons\.externalDns\.hostedZoneId: required/],
    [
      "hostedZoneId carries the /hostedzone/ prefix",
      { hostedZoneId: `/hostedzone/${ZONE}` },
      /addons\.externalDns\.hostedZoneId: got "\/hostedzone\/Z0123456789ABCDEFGHIJ"; expected a Route 53 hosted zone id/,
    ],
    [
      "hostedZoneId is lower case",
      { hostedZoneId: "z0123abc" },
      /addons\.externalDns\.hostedZoneId: got "z0123abc"; expected a Route 53 hosted zone id/,
    ],
    [
      "the policy is create-only",
      { hostedZoneId: ZONE, policy: "create-only" },
      /addons\.externalDns\.policy: got "create-only"; expected one of "upsert-only", "sync"/,
    ],
    [
      "a source is not ingress or service",
      { hostedZoneId: ZONE, sources: ["crd"] },
      /addons\.externalDns\.sources\[0\]: got "crd"; expected one of "ingress", "service"/,
    ],
    [
      "sources is empty",
      { hostedZoneId: ZONE, sources: [] },
      /addons\.externalDns\.sources: .*at least one source/,
    ],
    [
      "a domain filter is not a domain",
      { hostedZoneId: ZONE, domainFilters: ["*.example.com"] },
      /addons\.externalDns\.domainFilters\[0\]: got "\*\.example\.com"; expected a domain name/,
    ],
    [
      "the zone type is neither private nor public",
      { hostedZoneId: ZONE, zoneType: "internal" },
      /addons\.externalDns\.zoneType: got "internal"; expected one of "private", "public"/,
    ],
  ];
  for (const [what, input, message] of fails) {
    it(`fails when ${what}`, () => {
      expect(() => externalDnsAddOn(input as never)).toThrow(message);
    });
  }
});

describe("ExternalDNS in the platform configuration", () => {
  const platform = (externalDns: Record<string, unknown>) =>
    parsePlatformConfig({
      preset: "minimal",
      name: "acme",
      environment: "dev",
      region: "eu-west-1",
      addons: { externalDns },
    });

  it("is off by default in every preset", () => {
    for (const preset of ["minimal", "standard", "gpu-training"] as const) {
      const c = parsePlatformConfig({ preset, name: "acme", environment: "dev", region: "eu-west-1" });
      expect(c.addons.externalDns.enabled, preset).toBe(false);
    }
  });

  it("fails when it is enabled without a hostedZoneId, naming the path", () => {
    expect(() => platform({ enabled: true })).toThrow(
      /addons\.externalDns\.hostedZoneId: required when enabled/,
    );
    expect(platform({ enabled: true, hostedZoneId: ZONE }).addons.externalDns.hostedZoneId).toBe(ZONE);
  });
});

describe("ExternalDNS in the default platform", () => {
  it("synthesizes with the rule pack when enabled, in its own namespace", () => {
    const p = synthPlatform({
      ...EMBEDDED_DEFAULT,
      addons: { externalDns: { enabled: true, hostedZoneId: ZONE } },
    });
    expect(p.blueprint.platform.addOns.has("external-dns")).toBe(true);
    expect(externalDnsValuesOf(p.platform).extraArgs).toEqual([`--zone-id-filter=${ZONE}`]);
    expect(externalDnsValuesOf(p.platform).txtOwnerId).toBe("mlops-dev");
  });
});

it("fails when the memory limit is below the request, at the resources path", () => {
  expect(() => externalDnsAddOn({ hostedZoneId: ZONE, resources: { memoryLimit: "32Mi" } })).toThrow(
    /addons\.externalDns\.resources\.memoryLimit: memoryLimit "32Mi" is below memoryRequest "64Mi"/,
  );
});
