import { LOAD_BALANCER_CONTROLLER_IAM_POLICY_SOURCE } from "../../core/charts";
import policy from "./iam-policy.json" with { type: "json" };

/**
 * The controller's IAM policy: AWS's published document for the pinned release, read from `iam-policy.json`
 * (a byte-for-byte copy of LOAD_BALANCER_CONTROLLER_IAM_POLICY_SOURCE; never edit it, replace it on upgrade).
 * Its `Resource: "*"` statements are scoped by AWS with `elbv2.k8s.aws/cluster` tag conditions.
 */
export const LOAD_BALANCER_CONTROLLER_IAM_POLICY: Readonly<Record<string, unknown>> = policy;
export { LOAD_BALANCER_CONTROLLER_IAM_POLICY_SOURCE };
