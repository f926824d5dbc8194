import type { IConstruct } from "constructs";
import type { PolicyIndex, ResourceView } from "./policy-index";

export type Severity = "error" | "warning" | "info";

export const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

/** What a rule sees besides the resource: the environment and the pack's options. */
export interface RuleContext {
  readonly environment: string;
  /** The configuration's sandbox opt-out (`prevent_destroy` off). */
  readonly sandbox: boolean;
  /** Every resource and data source of the app, for correlating resources (e.g. a bucket and its SSE config). */
  readonly index: PolicyIndex;
  /** Documented public load-balancer listeners that may take ingress from anywhere. */
  readonly publicIngress: readonly PublicIngressAllowance[];
}

/** A security group (by construct path prefix) allowed to take ingress from 0.0.0.0/0 or ::/0 on some ports. */
export interface PublicIngressAllowance {
  /** Construct path prefix of the security group or rule. */
  readonly path: string;
  readonly ports: readonly number[];
  /** Why this listener is public (e.g. "internet-facing ALB for the inference API"). */
  readonly reason: string;
}

/** One violation a rule found; `severity` overrides the rule's default (e.g. local state is an error in prod). */
export interface Violation {
  readonly detail: string;
  readonly severity?: Severity;
  /** The construct the finding belongs to, when not the visited one (e.g. a data source document). */
  readonly node?: IConstruct;
}

/**
 * One rule: a stable id, a default severity, a one-line message and why/how to fix. `check` runs for every
 * resource or data source of the listed Terraform types (or every stack, for `"stack"`) and returns violations.
 */
export interface PolicyRule {
  readonly id: string;
  readonly severity: Severity;
  readonly message: string;
  readonly explanation: string;
  /** Terraform types (`aws_s3_bucket`, `data.aws_iam_policy_document`) or `"stack"`. */
  readonly appliesTo: readonly string[];
  check(target: ResourceView, ctx: RuleContext): Violation[];
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly path: string;
  readonly message: string;
  readonly detail: string;
  /** Set when a suppression matched: why and where it came from. */
  readonly suppressed?: {
    readonly reason: string;
    readonly source: "code" | "config";
    readonly path: string;
  };
}
