import { z } from "zod";
import { acmCertificateArn, cidr, parseCidr } from "../primitives";
import type { PlatformNamespace } from "./platform-namespace";

/**
 * The one ingress option of the kit's web UIs (MLflow, Grafana, Kibana, and model serving): an Application Load
 * Balancer made by the AWS Load Balancer Controller, internal unless configured otherwise, HTTPS only with an
 * ACM certificate (HTTP 80 answers with a redirect to 443), pods as `ip` targets. Each add-on puts the same
 * `ingress` block in its section and renders `albIngress(...)` into its chart's (or its own) Ingress.
 */

/** Id of the add-on that serves every `ingress` (constructs/addons/aws-load-balancer-controller). */
export const LOAD_BALANCER_CONTROLLER_ADDON_ID = "aws-load-balancer-controller";
/** The IngressClass the controller's chart creates. */
export const ALB_INGRESS_CLASS = "alb";
/**
 * What AWS recommends for new HTTPS listeners (TLS 1.3 and 1.2 with restricted ciphers, hybrid post-quantum key
 * exchange for clients that offer it), and what the console picks by default. The controller's own default is
 * ELBSecurityPolicy-2016-08, which still admits TLS 1.0.
 */
export const DEFAULT_ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";
export const INGRESS_SCHEMES = ["internal", "internet-facing"] as const;
export type IngressScheme = (typeof INGRESS_SCHEMES)[number];

const quoted = (v: unknown) => JSON.stringify(v);
const HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/;
/** The controller's rule for `group.name`. */
const GROUP_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** TLS 1.2 is the floor: only the TLS13 policies with a 1-2 or 1-3 minimum. */
const SSL_POLICY = /^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$/;

export const IngressSchema = z
  .strictObject({
    host: z
      .string()
      .regex(HOST, "expected a DNS host name like mlflow.internal.example.com")
      .describe("Host name the ALB answers for (point a DNS record at the ALB)."),
    certificateArn: acmCertificateArn.describe(
      "ACM certificate of the HTTPS listener (covering `host`); HTTP is only redirected to HTTPS.",
    ),
    scheme: z
      .enum(INGRESS_SCHEMES, {
        error: (iss) => `scheme ${quoted(iss.input)} is not one of ${INGRESS_SCHEMES.join(", ")}`,
      })
      .default("internal")
      .describe(
        '"internal": reachable only inside the VPC (and what is peered or connected to it); "internet-facing": in the public subnets, only with `allowedCidrs`.',
      ),
    allowedCidrs: z
      .array(cidr)
      .min(1, {
        error: "allowedCidrs must list at least one CIDR; leave it out for the VPC's (internal only)",
      })
      .optional()
      .describe(
        "Client CIDRs the ALB's security group admits on 80 and 443 (`inbound-cidrs`). Default: the VPC CIDR for an internal ALB; required for internet-facing.",
      ),
    allowAnyCidr: z
      .boolean()
      .default(false)
      .describe(
        "Accept 0.0.0.0/0 in `allowedCidrs` (anyone who can route to the ALB). Without it a /0 is refused, so opening a UI to the internet is always spelt out.",
      ),
    groupName: z
      .string()
      .max(63)
      .regex(GROUP_NAME, "expected an ALB group name (a-z, 0-9, '-', '.')")
      .optional()
      .describe(
        "ALB ingress group: ingresses with the same name share one load balancer (scheme, CIDRs and TLS policy must then match). Default: an ALB of its own.",
      ),
    sslPolicy: z
      .string()
      .regex(SSL_POLICY, "expected an ELBSecurityPolicy-TLS13-1-2-… or -1-3-… policy (TLS 1.2 at least)")
      .default(DEFAULT_ALB_SSL_POLICY)
      .describe(
        `TLS policy of the HTTPS listener. Default: ${DEFAULT_ALB_SSL_POLICY} (AWS's recommendation).`,
      ),
  })
  .superRefine((c, ctx) => {
    const add = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message, params: { formatted: true } });
    if (c.scheme === "internet-facing" && !c.allowedCidrs) {
      add(
        ["allowedCidrs"],
        'required when scheme is "internet-facing": the client CIDRs the ALB admits (the controller\'s default is 0.0.0.0/0)',
      );
    }
    (c.allowedCidrs ?? []).forEach((block, i) => {
      if (!c.allowAnyCidr && parseCidr(block)?.prefix === 0) {
        add(
          ["allowedCidrs", i],
          `got ${quoted(block)}; it admits every address: list the clients' CIDRs, or set allowAnyCidr: true to mean it`,
        );
      }
    });
  })
  .describe(
    "An ALB in front of the UI (needs addons.awsLoadBalancerController). Default: none (port-forward).",
  );

export type IngressConfigInput = z.input<typeof IngressSchema>;
export type IngressConfig = z.output<typeof IngressSchema>;

export interface AlbIngressOptions {
  readonly ingress: IngressConfig;
  /** The VPC CIDR: what an internal ALB admits when `allowedCidrs` is unset. */
  readonly vpcCidr: string;
  /** Path each pod answers 200 on without a login (the target group's health check). */
  readonly healthCheckPath: string;
  /** What the pods serve; HTTPS for a self-signed backend (the ALB does not verify target certificates). @default "HTTP" */
  readonly backendProtocol?: "HTTP" | "HTTPS";
}

/** What an add-on renders into its Ingress: class, host and the controller's annotations. */
export interface AlbIngress {
  readonly className: typeof ALB_INGRESS_CLASS;
  readonly host: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** Client CIDRs the ALB admits. */
  readonly inboundCidrs: readonly string[];
}

const A = "alb.ingress.kubernetes.io";

/** The ALB for one `ingress` block. */
export function albIngress(o: AlbIngressOptions): AlbIngress {
  const i = o.ingress;
  const protocol = o.backendProtocol ?? "HTTP";
  const inboundCidrs = i.allowedCidrs ?? [o.vpcCidr];
  return {
    className: ALB_INGRESS_CLASS,
    host: i.host,
    inboundCidrs,
    annotations: {
      [`${A}/scheme`]: i.scheme,
      [`${A}/target-type`]: "ip",
      [`${A}/listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
      [`${A}/ssl-redirect`]: "443",
      [`${A}/certificate-arn`]: i.certificateArn,
      [`${A}/ssl-policy`]: i.sslPolicy,
      // Set for internal ALBs too: the controller's default is 0.0.0.0/0 and ::/0.
      [`${A}/inbound-cidrs`]: inboundCidrs.join(","),
      [`${A}/load-balancer-attributes`]: "routing.http.drop_invalid_header_fields.enabled=true",
      [`${A}/backend-protocol`]: protocol,
      [`${A}/healthcheck-protocol`]: protocol,
      [`${A}/healthcheck-path`]: o.healthCheckPath,
      [`${A}/success-codes`]: "200",
      ...(i.groupName ? { [`${A}/group.name`]: i.groupName } : {}),
    },
  };
}

export interface IngressResourceProps extends AlbIngressOptions {
  readonly name: string;
  readonly namespace: string;
  /** The Service and port the ALB forwards to (target type ip: the ALB reaches the pods behind it directly). */
  readonly service: string;
  readonly servicePort: number;
}

/** A `networking.k8s.io/v1` Ingress, for workloads whose chart or operator makes none (Kibana, serving). */
export function ingressResource(p: IngressResourceProps): Record<string, unknown> {
  const alb = albIngress(p);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: p.name, namespace: p.namespace, annotations: { ...alb.annotations } },
    spec: {
      ingressClassName: alb.className,
      rules: [
        {
          host: alb.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: p.service, port: { number: p.servicePort } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/**
 * Admits the ALB to the pods on their serving port. With `ip` targets the ALB connects from its own network
 * interfaces in the VPC's subnets (it terminates the client's connection, so client addresses never reach the
 * pods): the VPC CIDR is the narrowest peer that always holds them. Who may reach the ALB is its security group's
 * business (`inbound-cidrs`). The construct id stays `LoadBalancer` (a Terraform address).
 */
export function allowLoadBalancer(
  namespace: PlatformNamespace,
  vpcCidr: string,
  port: number,
  podLabels: Record<string, string>,
): void {
  namespace.allowIngress(
    "LoadBalancer",
    { from: [{ ipBlock: { cidr: vpcCidr } }], ports: [{ port: String(port), protocol: "TCP" }] },
    podLabels,
  );
}

/**
 * The configuration problem when an add-on has an ingress but the controller is off, at the ingress's path
 * (relative to `addons`), for the add-on definitions' `dependencyProblem`.
 */
export function ingressDependencyProblem(
  dependency: string,
  path: readonly (string | number)[],
  ingress: IngressConfig | undefined,
): { readonly path: readonly (string | number)[]; readonly message: string } | undefined {
  if (dependency !== LOAD_BALANCER_CONTROLLER_ADDON_ID || !ingress) return undefined;
  return {
    path,
    message: `an ingress for ${quoted(ingress.host)} needs the AWS Load Balancer Controller, which makes its ALB: set addons.awsLoadBalancerController.enabled: true, or remove the ingress`,
  };
}

/** An ingress setting in a message; unset allowedCidrs mean the VPC CIDR. */
const shown = (v: unknown) => (v === undefined ? "none (the VPC CIDR)" : quoted(v));

/** Settings an ALB has once, whichever ingress of its group sets them. */
const PER_LOAD_BALANCER = ["scheme", "allowedCidrs", "sslPolicy"] as const;

/**
 * Ingresses of one `groupName` share an ALB, so they must agree on what belongs to the load balancer (the
 * controller would otherwise stop reconciling the group). Finds every `ingress` block in the parsed add-on
 * sections (any add-on, any depth: serving's too) and reports each disagreement at the later ingress's path,
 * relative to `addons`.
 */
export function ingressGroupProblems(
  addons: Readonly<Record<string, unknown>>,
): { readonly path: readonly (string | number)[]; readonly message: string }[] {
  const found: { path: (string | number)[]; ingress: IngressConfig }[] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const ingress = key === "ingress" ? IngressSchema.safeParse(value) : undefined;
      if (ingress?.success) found.push({ path: [...path, key], ingress: ingress.data });
      else walk(value, [...path, key]);
    }
  };
  walk(addons, []);
  const problems: { path: (string | number)[]; message: string }[] = [];
  const first = new Map<string, (typeof found)[number]>();
  for (const f of found) {
    const group = f.ingress.groupName;
    if (!group) continue;
    const leader = first.get(group);
    if (!leader) {
      first.set(group, f);
      continue;
    }
    for (const key of PER_LOAD_BALANCER) {
      const [mine, theirs] = [f.ingress[key], leader.ingress[key]];
      if (JSON.stringify(mine) === JSON.stringify(theirs)) continue;
      problems.push({
        path: [...f.path, key],
        message: `got ${shown(mine)}; ingresses of group ${quoted(group)} share one ALB, and addons.${leader.path.join(".")} has ${shown(theirs)}: give them the same ${key}`,
      });
    }
  }
  return problems;
}
