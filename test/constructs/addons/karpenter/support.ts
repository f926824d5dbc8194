import {
  KarpenterAwsResources,
  type KarpenterAwsResourcesProps,
} from "../../../../constructs/addons/karpenter/aws-resources";
import { testClusterContext } from "../../../support/cluster";
import { type SynthJson, synthStack } from "../../../support/synth";
import { type PolicyStatementJson, policyDocumentStatements } from "../../cluster/fixtures";

/** Synthesizes KarpenterAwsResources (id "Karpenter") on the test cluster context (cluster "acme-dev", eu-west-1). */
export function synthKarpenter(
  props: Partial<Omit<KarpenterAwsResourcesProps, "cluster">> = {},
  after?: (resources: KarpenterAwsResources) => void,
): SynthJson {
  return synthStack((stack) => {
    const resources = new KarpenterAwsResources(stack, "Karpenter", {
      cluster: testClusterContext(stack),
      namespace: "karpenter",
      serviceAccountName: "karpenter",
      ...props,
    });
    after?.(resources);
  });
}

/** `${<type>.<id>.<attribute>}` of the only `type` resource (or data source) whose id contains `fragment`. */
export function ref(
  json: SynthJson,
  kind: "resource" | "data",
  type: string,
  fragment: string,
  attribute: string,
): string {
  const ids = Object.keys(json[kind]?.[type] ?? {}).filter((id) => id.includes(fragment));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} with "${fragment}", found ${ids.join(", ") || "none"}`);
  return `\${${kind === "data" ? "data." : ""}${type}.${ids[0]}.${attribute}}`;
}

/** The statements of the controller's managed policy whose name starts `KarpenterController<name>-`. */
export function controllerPolicy(json: SynthJson, name: string): PolicyStatementJson[] {
  const policies = Object.values(json.resource?.aws_iam_policy ?? {}).filter(
    (p) => p.name_prefix === `KarpenterController${name}-`,
  );
  if (policies.length !== 1)
    throw new Error(`expected one KarpenterController${name} policy, found ${policies.length}`);
  return policyDocumentStatements(json, policies[0]?.policy);
}

/** The template's `${…}` variables as the kit's synthesized references (cluster literal, the rest tokens). */
export function templateValues(json: SynthJson): Record<string, string> {
  return {
    ClusterName: "acme-dev",
    "AWS::Partition": ref(json, "data", "aws_partition", "AwsContext", "partition"),
    "AWS::AccountId": ref(json, "data", "aws_caller_identity", "AwsContext", "account_id"),
    "AWS::Region": "eu-west-1",
    "AWS::URLSuffix": ref(json, "data", "aws_partition", "AwsContext", "dns_suffix"),
    "KarpenterNodeRole.Arn": ref(json, "resource", "aws_iam_role", "NodeRole", "arn"),
    "KarpenterInterruptionQueue.Arn": ref(json, "resource", "aws_sqs_queue", "Interruption", "arn"),
    KarpenterInterruptionQueue: ref(json, "resource", "aws_sqs_queue", "Interruption", "url"),
  };
}
