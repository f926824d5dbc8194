import { EksCluster, type EksClusterProps } from "../../../constructs/cluster";
import { type SynthJson, synthStack } from "../../support/synth";

export const ADMIN_ROLE = "arn:aws:iam::123456789012:role/PlatformAdmin";
export const BREAK_GLASS_USER = "arn:aws:iam::123456789012:user/break-glass";

export const BASE_PROPS: EksClusterProps = {
  clusterName: "ml",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-aaaa1111", "subnet-bbbb2222"],
};

/** Synthesizes one EksCluster (id "Eks") with the base props overridden by `props`. */
export function synthCluster(
  props: Partial<EksClusterProps> = {},
  after?: (cluster: EksCluster) => void,
): SynthJson {
  return synthStack((stack) => {
    const cluster = new EksCluster(stack, "Eks", { ...BASE_PROPS, ...props });
    after?.(cluster);
  });
}

/** Builds without synthesizing, for "fails when" cases. */
export function buildCluster(props: Partial<EksClusterProps>): void {
  synthCluster(props);
}

/** `${aws_kms_key.X.arn}` for the only key in the stack. */
export function onlyKeyArnRef(json: SynthJson): string {
  const ids = Object.keys(json.resource?.aws_kms_key ?? {});
  if (ids.length !== 1) throw new Error(`expected one aws_kms_key, found ${ids.length}`);
  return `\${aws_kms_key.${ids[0]}.arn}`;
}

export interface PolicyCondition {
  test: string;
  variable: string;
  values: string[];
}
export interface PolicyStatementJson {
  sid?: string;
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: PolicyCondition[];
}

/** The statements of the `aws_iam_policy_document` a `${data.aws_iam_policy_document.X.json}` reference points to. */
export function policyDocumentStatements(json: SynthJson, reference: unknown): PolicyStatementJson[] {
  const match = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(reference));
  if (!match?.[1]) throw new Error(`not a policy document reference: ${String(reference)}`);
  const doc = json.data?.aws_iam_policy_document?.[match[1]];
  if (!doc) throw new Error(`policy document ${match[1]} not in the stack`);
  return doc.statement as PolicyStatementJson[];
}

/** Resource of a type whose logical id contains `fragment` (ids are `<path>_<hash>`). */
export function resourceNamed(json: SynthJson, type: string, fragment: string): Record<string, unknown> {
  const entries = Object.entries(json.resource?.[type] ?? {}).filter(([id]) => id.includes(fragment));
  if (entries.length !== 1) {
    throw new Error(
      `expected one ${type} with "${fragment}" in its id, found ${entries.map(([id]) => id).join(", ")}`,
    );
  }
  return (entries[0] as [string, Record<string, unknown>])[1];
}

/** Logical id (`type.id`) of the resource of a type whose id contains `fragment`. */
export function addressOf(json: SynthJson, type: string, fragment: string): string {
  const ids = Object.keys(json.resource?.[type] ?? {}).filter((id) => id.includes(fragment));
  if (ids.length !== 1) throw new Error(`expected one ${type} with "${fragment}", found ${ids.join(", ")}`);
  return `${type}.${ids[0]}`;
}
