import { describe, expect, it } from "vitest";
import {
  albIngress,
  type IngressConfigInput,
  IngressSchema,
  ingressDependencyProblem,
  ingressGroupProblems,
  ingressResource,
} from "../../../constructs/core/ingress";
import { describeIssues } from "../../../constructs/primitives";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
const VPC = "10.0.0.0/16";
const A = "alb.ingress.kubernetes.io";

const parse = (input: IngressConfigInput) => IngressSchema.parse(input);

/** The `path: message` lines of the schema's problems, as the configuration reports them. */
function problems(input: unknown): string[] {
  const r = IngressSchema.safeParse(input);
  if (r.success) return [];
  return describeIssues(r.error.issues, input, IngressSchema as never).map((p) => `${p.path}: ${p.message}`);
}

describe("ingress option: ALB annotations", () => {
  it("is an internal ALB by default, admitting only the VPC CIDR, HTTPS with HTTP redirected", () => {
    const alb = albIngress({
      ingress: parse({ host: "mlflow.internal.example.com", certificateArn: CERT }),
      vpcCidr: VPC,
      healthCheckPath: "/health",
    });
    expect(alb.className).toBe("alb");
    expect(alb.host).toBe("mlflow.internal.example.com");
    expect(alb.inboundCidrs).toEqual([VPC]);
    expect(alb.annotations).toEqual({
      [`${A}/scheme`]: "internal",
      [`${A}/target-type`]: "ip",
      [`${A}/listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
      [`${A}/ssl-redirect`]: "443",
      [`${A}/certificate-arn`]: CERT,
      [`${A}/ssl-policy`]: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
      [`${A}/inbound-cidrs`]: VPC,
      [`${A}/load-balancer-attributes`]: "routing.http.drop_invalid_header_fields.enabled=true",
      [`${A}/backend-protocol`]: "HTTP",
      [`${A}/healthcheck-protocol`]: "HTTP",
      [`${A}/healthcheck-path`]: "/health",
      [`${A}/success-codes`]: "200",
    });
    // Every annotation value is a string (the API refuses anything else).
    for (const v of Object.values(alb.annotations)) expect(typeof v).toBe("string");
  });

  it("is internet-facing with the listed CIDRs and certificate, in a group, over an HTTPS backend", () => {
    const alb = albIngress({
      ingress: parse({
        host: "kibana.example.com",
        certificateArn: CERT,
        scheme: "internet-facing",
        allowedCidrs: ["203.0.113.0/24", "198.51.100.7/32"],
        groupName: "platform-uis",
      }),
      vpcCidr: VPC,
      healthCheckPath: "/login",
      backendProtocol: "HTTPS",
    });
    expect(alb.annotations).toMatchObject({
      [`${A}/scheme`]: "internet-facing",
      [`${A}/inbound-cidrs`]: "203.0.113.0/24,198.51.100.7/32",
      [`${A}/certificate-arn`]: CERT,
      [`${A}/ssl-redirect`]: "443",
      [`${A}/backend-protocol`]: "HTTPS",
      [`${A}/healthcheck-protocol`]: "HTTPS",
      [`${A}/healthcheck-path`]: "/login",
      [`${A}/group.name`]: "platform-uis",
    });
    expect(alb.inboundCidrs).toEqual(["203.0.113.0/24", "198.51.100.7/32"]);
  });

  it("narrows an internal ALB to allowedCidrs when given, and takes another TLS 1.2+ policy", () => {
    const alb = albIngress({
      ingress: parse({
        host: "grafana.internal.example.com",
        certificateArn: CERT,
        allowedCidrs: ["10.0.0.0/20"],
        sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
      }),
      vpcCidr: VPC,
      healthCheckPath: "/api/health",
    });
    expect(alb.annotations[`${A}/inbound-cidrs`]).toBe("10.0.0.0/20");
    expect(alb.annotations[`${A}/ssl-policy`]).toBe("ELBSecurityPolicy-TLS13-1-3-2021-06");
  });

  it("accepts 0.0.0.0/0 only with allowAnyCidr", () => {
    const open = parse({
      host: "demo.example.com",
      certificateArn: CERT,
      scheme: "internet-facing",
      allowedCidrs: ["0.0.0.0/0"],
      allowAnyCidr: true,
    });
    expect(open.allowedCidrs).toEqual(["0.0.0.0/0"]);
  });

  it("renders a networking.k8s.io/v1 Ingress to a Service port", () => {
    const ingress = ingressResource({
      name: "kibana",
      namespace: "logging",
      service: "logs-kb-http",
      servicePort: 5601,
      ingress: parse({ host: "kibana.internal.example.com", certificateArn: CERT }),
      vpcCidr: VPC,
      healthCheckPath: "/login",
      backendProtocol: "HTTPS",
    }) as { metadata: { annotations: Record<string, string> }; spec: unknown };
    expect(ingress).toMatchObject({ apiVersion: "networking.k8s.io/v1", kind: "Ingress" });
    expect(ingress.metadata).toMatchObject({ name: "kibana", namespace: "logging" });
    expect(ingress.metadata.annotations[`${A}/scheme`]).toBe("internal");
    expect(ingress.spec).toEqual({
      ingressClassName: "alb",
      rules: [
        {
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
        },
      ],
    });
  });
});

describe("ingress option: validation", () => {
  const base = { host: "ui.example.com", certificateArn: CERT };

  it("fails when an internet-facing ingress has no allowedCidrs", () => {
    expect(problems({ ...base, scheme: "internet-facing" })).toEqual([
      expect.stringMatching(/^allowedCidrs: required when scheme is "internet-facing"/),
    ]);
  });

  it("fails when an ingress has no certificate (TLS is never optional)", () => {
    expect(
      problems({ host: "ui.example.com", scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"] }),
    ).toEqual([expect.stringMatching(/^certificateArn: required/)]);
  });

  it("fails when the certificate is not an ACM certificate ARN", () => {
    expect(problems({ ...base, certificateArn: "arn:aws:iam::123456789012:server-certificate/x" })).toEqual([
      expect.stringMatching(
        /^certificateArn: got "arn:aws:iam::123456789012:server-certificate\/x"; expected an ACM certificate ARN/,
      ),
    ]);
  });

  it("fails when a CIDR is malformed, naming its index", () => {
    expect(problems({ ...base, allowedCidrs: ["10.0.0.0/16", "10.0.0.1/16", "300.0.0.0/8"] })).toEqual([
      expect.stringMatching(/^allowedCidrs\[1\]: got "10\.0\.0\.1\/16"; expected an IPv4 CIDR block/),
      expect.stringMatching(/^allowedCidrs\[2\]: got "300\.0\.0\.0\/8"; expected an IPv4 CIDR block/),
    ]);
  });

  it("fails when allowedCidrs admits every address without allowAnyCidr", () => {
    expect(
      problems({ ...base, scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }),
    ).toEqual([
      'allowedCidrs[1]: got "0.0.0.0/0"; it admits every address: list the clients\' CIDRs, or set allowAnyCidr: true to mean it',
    ]);
  });

  it("fails when allowedCidrs is empty", () => {
    expect(problems({ ...base, allowedCidrs: [] })).toEqual([
      expect.stringMatching(/^allowedCidrs: .*at least one CIDR/),
    ]);
  });

  it("fails when the scheme, host, group name or TLS policy is not one the kit accepts", () => {
    expect(
      problems({
        ...base,
        host: "Not A Host",
        scheme: "public",
        groupName: "-bad",
        sslPolicy: "ELBSecurityPolicy-2016-08",
      }).map((p) => p.split(":")[0]),
    ).toEqual(["host", "scheme", "groupName", "sslPolicy"]);
  });

  it("names the add-on's ingress when the controller is off, and nothing for other dependencies", () => {
    const ingress = parse(base);
    expect(ingressDependencyProblem("aws-load-balancer-controller", ["mlflow", "ingress"], ingress)).toEqual({
      path: ["mlflow", "ingress"],
      message:
        'an ingress for "ui.example.com" needs the AWS Load Balancer Controller, which makes its ALB: set addons.awsLoadBalancerController.enabled: true, or remove the ingress',
    });
    expect(ingressDependencyProblem("external-secrets", ["mlflow", "ingress"], ingress)).toBeUndefined();
    expect(
      ingressDependencyProblem("aws-load-balancer-controller", ["mlflow", "ingress"], undefined),
    ).toBeUndefined();
  });
});

describe("ingress option: groups", () => {
  const ingress = (extra: Record<string, unknown>) => ({
    host: "ui.example.com",
    certificateArn: CERT,
    ...extra,
  });

  it("finds every ingress at any depth and passes groups that agree, or ingresses without a group", () => {
    expect(
      ingressGroupProblems({
        a: { ingress: IngressSchema.parse(ingress({ groupName: "g" })) },
        b: { nested: { deeper: { ingress: IngressSchema.parse(ingress({ groupName: "g" })) } } },
        c: {
          ingress: IngressSchema.parse(
            ingress({ scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"] }),
          ),
        },
      }),
    ).toEqual([]);
  });

  it("fails when a group's ingresses disagree on the TLS policy, at the later one's path", () => {
    expect(
      ingressGroupProblems({
        a: { ingress: IngressSchema.parse(ingress({ groupName: "g" })) },
        b: {
          nested: {
            ingress: IngressSchema.parse(
              ingress({ groupName: "g", sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" }),
            ),
          },
        },
      }),
    ).toEqual([
      {
        path: ["b", "nested", "ingress", "sslPolicy"],
        message:
          'got "ELBSecurityPolicy-TLS13-1-3-2021-06"; ingresses of group "g" share one ALB, and addons.a.ingress has "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09": give them the same sslPolicy',
      },
    ]);
  });
});
