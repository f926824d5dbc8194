import { describe, expect, it } from "vitest";
import { karpenterControllerPolicies } from "../../../../constructs/addons/karpenter/iam-policy";
import { KmsKey } from "../../../../constructs/core/kms-key";
import { describeWithSchemas } from "../../../support/schemas";
import { onlyResource, type SynthJson, synthStack } from "../../../support/synth";
import { policyDocumentStatements } from "../../cluster/fixtures";
import {
  loadKarpenterTemplate,
  normalizeDocumentStatement,
  normalizeIamStatement,
  resolveIntrinsics,
} from "./cloudformation";
import { controllerPolicy, ref, synthKarpenter, templateValues } from "./support";

const TEMPLATE_POLICIES = [
  "NodeLifecyclePolicy",
  "IAMIntegrationPolicy",
  "EKSIntegrationPolicy",
  "InterruptionPolicy",
  "ZonalShiftPolicy",
  "ResourceDiscoveryPolicy",
] as const;

const json = synthKarpenter();

/** Every statement of every policy attached to the controller role. */
function allControllerStatements(synth: SynthJson) {
  return [...TEMPLATE_POLICIES, "KmsPolicy"].flatMap((name) => controllerPolicy(synth, name));
}

describeWithSchemas("Karpenter controller policy vs the v1.14.1 CloudFormation template", () => {
  const template = loadKarpenterTemplate();
  const values = templateValues(json);

  it("covers every controller policy of the template (and nothing the template does not have)", () => {
    const inTemplate = Object.entries(template)
      .filter(([name, r]) => r.Type === "AWS::IAM::ManagedPolicy" && name !== "KarpenterNodeRole")
      .map(([name]) => name)
      .sort();
    expect(inTemplate).toEqual([...TEMPLATE_POLICIES].sort());
    expect(Object.keys(karpenterControllerPolicies(templateScope())).sort()).toEqual(inTemplate);
  });

  for (const name of TEMPLATE_POLICIES) {
    it(`${name}: every statement equal to the template's (Sid, actions, resources, conditions)`, () => {
      const resource = template[name];
      const document = JSON.parse(
        resolveIntrinsics(resource?.Properties.PolicyDocument, values) as string,
      ) as { Statement: Record<string, unknown>[] };
      const expected = document.Statement.map(normalizeIamStatement);
      const actual = controllerPolicy(json, name).map((s) =>
        normalizeDocumentStatement(s as Record<string, unknown>),
      );
      expect(actual).toEqual(expected);
    });
  }

  it("detects drift: a statement with one action more no longer matches", () => {
    const lifecycle = template.NodeLifecyclePolicy?.Properties.PolicyDocument;
    const expected = (
      JSON.parse(resolveIntrinsics(lifecycle, values) as string) as { Statement: Record<string, unknown>[] }
    ).Statement.map(normalizeIamStatement);
    const actual = controllerPolicy(json, "NodeLifecyclePolicy").map((s) =>
      normalizeDocumentStatement({ ...s, actions: [...(s.actions ?? []), "ec2:ModifyInstanceAttribute"] }),
    );
    expect(actual).not.toEqual(expected);
  });
});

/** Literal scope values, for the shape check that needs no synth. */
function templateScope() {
  return {
    partition: "aws",
    region: "eu-west-1",
    accountId: "123456789012",
    clusterName: "acme-dev",
    nodeRoleArn: "arn:aws:iam::123456789012:role/node",
    interruptionQueueArn: "arn:aws:sqs:eu-west-1:123456789012:q",
  };
}

describe("Karpenter controller policy: the issue's limits", () => {
  const statements = allControllerStatements(json);
  const nodeRoleArn = ref(json, "resource", "aws_iam_role", "NodeRole", "arn");

  it("grants iam:PassRole on the node role only, and only to EC2", () => {
    const passRole = statements.filter((s) =>
      (s.actions ?? []).some((a) => a === "iam:PassRole" || a === "iam:*" || a === "*"),
    );
    expect(passRole).toHaveLength(1);
    expect(passRole[0]?.actions).toEqual(["iam:PassRole"]);
    expect(passRole[0]?.resources).toEqual([nodeRoleArn]);
    expect(passRole[0]?.condition).toEqual([
      {
        test: "StringEquals",
        variable: "iam:PassedToService",
        values: ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"],
      },
    ]);
  });

  it("uses no wildcard actions at all (no ec2:*, no iam:*)", () => {
    for (const s of statements) for (const a of s.actions ?? []) expect(a).not.toMatch(/(^\*$|:\*$)/);
  });

  it("allows Resource * only for the read-only calls Karpenter documents, each ec2 one limited to the region", () => {
    const onStar = statements.filter((s) => (s.resources ?? []).includes("*"));
    expect(onStar.map((s) => s.sid).sort()).toEqual([
      "AllowPricingReadActions",
      "AllowRegionalReadActions",
      "AllowUnscopedInstanceProfileListAction",
      "AllowZonalShiftStatusReadOnly",
    ]);
    const actions = onStar.flatMap((s) => s.actions ?? []);
    for (const a of actions)
      expect(a).toMatch(
        /^(ec2:Describe\w+|pricing:GetProducts|iam:ListInstanceProfiles|arc-zonal-shift:GetManagedResource)$/,
      );
    const ec2OnStar = onStar.filter((s) => (s.actions ?? []).some((a) => a.startsWith("ec2:")));
    expect(ec2OnStar).toHaveLength(1);
    expect(ec2OnStar[0]?.condition).toEqual([
      { test: "StringEquals", variable: "aws:RequestedRegion", values: ["eu-west-1"] },
    ]);
  });

  it("lets the controller launch, tag and terminate only resources tagged for this cluster and a NodePool", () => {
    const mutating = statements.filter((s) =>
      (s.actions ?? []).some((a) => /^ec2:(CreateTags|TerminateInstances|DeleteLaunchTemplate)$/.test(a)),
    );
    expect(mutating.length).toBeGreaterThan(0);
    for (const s of mutating) {
      const variables = (s.condition ?? []).map((c) => c.variable);
      expect(variables.some((v) => v.endsWith("/kubernetes.io/cluster/acme-dev"))).toBe(true);
      expect(variables.some((v) => v.endsWith("/karpenter.sh/nodepool"))).toBe(true);
    }
  });
});

describe("Karpenter controller KMS permissions", () => {
  const kms = controllerPolicy(json, "KmsPolicy");
  const clusterKey = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
  const ec2Via = {
    test: "StringEquals",
    variable: "kms:ViaService",
    values: [`ec2.eu-west-1.${ref(json, "data", "aws_partition", "AwsContext", "dns_suffix")}`],
  };

  it("lets EC2 create grants on the cluster key for AWS resources only, through EC2 in this region", () => {
    const grants = kms.find((s) => s.actions?.includes("kms:CreateGrant"));
    expect(grants?.actions).toEqual(["kms:CreateGrant"]);
    expect(grants?.resources).toEqual([clusterKey]);
    expect(grants?.condition).toEqual([
      { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
      ec2Via,
    ]);
  });

  it("gives the EBS encryption actions AWS lists for a customer managed key, through EC2 only", () => {
    const use = kms.find((s) => s.sid === "AllowEbsVolumeEncryption");
    expect(use?.actions).toEqual([
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncrypt*",
    ]);
    expect(use?.resources).toEqual([clusterKey]);
    expect(use?.condition).toEqual([ec2Via]);
  });

  it("decrypts interruption messages with the queue's key through SQS only", () => {
    const queue = kms.find((s) => s.sid === "AllowInterruptionQueueDecryption");
    expect(queue?.actions).toEqual(["kms:Decrypt"]);
    expect(queue?.resources).toEqual([ref(json, "resource", "aws_kms_key", "Interruption", "arn")]);
    expect(queue?.condition?.[0]?.values?.[0]).toMatch(/^sqs\.eu-west-1\./);
  });

  it("has no statement without a kms:ViaService condition", () => {
    for (const s of kms) expect(s.condition?.some((c) => c.variable === "kms:ViaService")).toBe(true);
  });

  it("relies on the cluster key's policy delegating to IAM (the account root statement), which KmsKey writes", () => {
    // The foundation's cluster key, as EksCluster creates it.
    const key = synthStack((stack) => {
      new KmsKey(stack, "Key", { allowCloudWatchLogs: true, allowAutoScaling: true });
    });
    const policy = onlyResource(key, "aws_kms_key").policy;
    const root = policyDocumentStatements(key, policy).find((s) => s.sid === "AccountAdministration");
    expect(root?.actions).toEqual(["kms:*"]);
    expect(root?.principals?.[0]?.identifiers?.[0]).toMatch(/:root$/);
  });
});
