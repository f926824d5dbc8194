import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";

const CONTEXT_ID = "AwsContext";

/**
 * Account, partition and region of the stack's AWS provider, read once per stack.
 * Constructs use these instead of hard-coding `arn:aws:` so the kit works in GovCloud and China partitions.
 */
export class AwsContext {
  /** Returns the stack's shared instance, creating the data sources on first use. */
  static of(scope: Construct): AwsContext {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(CONTEXT_ID) as AwsContextHolder | undefined;
    if (existing) return existing.context;
    return new AwsContextHolder(stack, CONTEXT_ID).context;
  }

  constructor(
    readonly accountId: string,
    readonly partition: string,
    readonly region: string,
    readonly dnsSuffix: string,
  ) {}

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass "" for global services. */
  arn(service: string, resource: string, options: { region?: string; account?: string } = {}): string {
    const region = options.region ?? this.region;
    const account = options.account ?? this.accountId;
    return `arn:${this.partition}:${service}:${region}:${account}:${resource}`;
  }
}

class AwsContextHolder extends Construct {
  readonly context: AwsContext;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const caller = new DataAwsCallerIdentity(this, "Caller");
    const partition = new DataAwsPartition(this, "Partition");
    const region = new DataAwsRegion(this, "Region");
    this.context = new AwsContext(caller.accountId, partition.partition, region.region, partition.dnsSuffix);
  }
}
