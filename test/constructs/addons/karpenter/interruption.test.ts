import { describe, expect, it } from "vitest";
import {
  INTERRUPTION_EVENT_PATTERNS,
  INTERRUPTION_TARGET_ID,
  KarpenterInterruptionQueue,
} from "../../../../constructs/addons/karpenter/interruption";
import { describeWithSchemas } from "../../../support/schemas";
import { onlyResource, resourcesOf, synthStack } from "../../../support/synth";
import { policyDocumentStatements } from "../../cluster/fixtures";
import {
  loadKarpenterTemplate,
  normalizeDocumentStatement,
  normalizeIamStatement,
  resolveIntrinsics,
} from "./cloudformation";
import { ref, synthKarpenter, templateValues } from "./support";

const json = synthKarpenter();
const queueArn = ref(json, "resource", "aws_sqs_queue", "Interruption", "arn");
const rules = resourcesOf(json, "aws_cloudwatch_event_rule");
const ruleArn = (name: string) => ref(json, "resource", "aws_cloudwatch_event_rule", `_${name}_`, "arn");
const queuePolicy = policyDocumentStatements(json, onlyResource(json, "aws_sqs_queue_policy").policy);

describe("Karpenter interruption queue", () => {
  const queue = onlyResource(json, "aws_sqs_queue");

  it("is encrypted with its own rotating customer key (SSE-KMS, not SSE-SQS)", () => {
    expect(queue.kms_master_key_id).toBe(ref(json, "resource", "aws_kms_key", "Interruption", "arn"));
    expect(queue.sqs_managed_sse_enabled).toBeUndefined();
    const key = Object.entries(resourcesOf(json, "aws_kms_key")).find(([id]) =>
      id.includes("Interruption"),
    )?.[1];
    expect(key?.enable_key_rotation).toBe(true);
    expect(key?.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("admits EventBridge to the key for this account only, which it needs to deliver to an SSE-KMS queue", () => {
    const key = Object.entries(resourcesOf(json, "aws_kms_key")).find(([id]) =>
      id.includes("Interruption"),
    )?.[1];
    const services = policyDocumentStatements(json, key?.policy).filter((s) => s.sid === "AwsServices");
    expect(services).toHaveLength(1);
    expect(services[0]?.principals).toEqual([{ type: "Service", identifiers: ["events.amazonaws.com"] }]);
    expect(services[0]?.actions).toEqual(expect.arrayContaining(["kms:GenerateDataKey*", "kms:Decrypt"]));
    expect(services[0]?.condition?.map((c) => c.variable)).toEqual(["aws:SourceAccount"]);
  });

  it("has one rule per event kind, each targeting the queue", () => {
    expect(Object.keys(rules)).toHaveLength(Object.keys(INTERRUPTION_EVENT_PATTERNS).length);
    const targets = Object.values(resourcesOf(json, "aws_cloudwatch_event_target"));
    for (const name of Object.keys(INTERRUPTION_EVENT_PATTERNS)) {
      const rule = ref(json, "resource", "aws_cloudwatch_event_rule", `_${name}_`, "name");
      const target = targets.filter((t) => t.rule === rule);
      expect(target).toEqual([expect.objectContaining({ arn: queueArn, target_id: INTERRUPTION_TARGET_ID })]);
    }
  });

  it("lets only EventBridge send, and only from these rules", () => {
    const send = queuePolicy.filter((s) => s.effect === "Allow");
    expect(send).toHaveLength(1);
    expect(send[0]?.principals).toEqual([{ type: "Service", identifiers: ["events.amazonaws.com"] }]);
    expect(send[0]?.actions).toEqual(["sqs:SendMessage"]);
    expect(send[0]?.resources).toEqual([queueArn]);
    expect(send[0]?.condition).toEqual([
      {
        test: "ArnEquals",
        variable: "aws:SourceArn",
        values: Object.keys(INTERRUPTION_EVENT_PATTERNS).map(ruleArn),
      },
    ]);
  });

  it("denies every request without TLS", () => {
    const deny = queuePolicy.filter((s) => s.effect === "Deny");
    expect(deny).toEqual([
      expect.objectContaining({
        actions: ["sqs:*"],
        resources: [queueArn],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      }),
    ]);
  });

  it("leaves the key unprotected when preventDestroy is false (sandbox)", () => {
    const sandbox = synthStack((stack) => {
      new KarpenterInterruptionQueue(stack, "Q", { clusterName: "acme-dev", preventDestroy: false });
    });
    expect(onlyResource(sandbox, "aws_kms_key").lifecycle).toBeUndefined();
    expect(onlyResource(sandbox, "aws_sqs_queue").lifecycle).toBeUndefined();
  });
});

describeWithSchemas("Karpenter interruption resources vs the v1.14.1 CloudFormation template", () => {
  const template = loadKarpenterTemplate();
  const values = templateValues(json);

  it("has the template's rules, with the same event patterns, each targeting the queue", () => {
    const templateRules = Object.entries(template).filter(([, r]) => r.Type === "AWS::Events::Rule");
    expect(templateRules.map(([name]) => name).sort()).toEqual(
      Object.keys(INTERRUPTION_EVENT_PATTERNS).sort(),
    );
    for (const [name, r] of templateRules) {
      const rule = Object.entries(rules).find(([id]) => id.includes(`_${name}_`))?.[1];
      expect(JSON.parse(String(rule?.event_pattern)), name).toEqual(r.Properties.EventPattern);
      const targets = resolveIntrinsics(r.Properties.Targets, values) as { Id: string; Arn: string }[];
      expect(targets).toEqual([{ Id: INTERRUPTION_TARGET_ID, Arn: queueArn }]);
    }
  });

  it("keeps the template's message retention", () => {
    const queue = template.KarpenterInterruptionQueue?.Properties;
    expect(onlyResource(json, "aws_sqs_queue").message_retention_seconds).toBe(queue?.MessageRetentionPeriod);
  });

  it("keeps the template's TLS-only deny and narrows its send statement to EventBridge and these rules", () => {
    const document = resolveIntrinsics(
      template.KarpenterInterruptionQueuePolicy?.Properties.PolicyDocument,
      values,
    ) as {
      Statement: Record<string, unknown>[];
    };
    const [templateSend, templateDeny] = document.Statement.map(normalizeIamStatement);
    const [send, deny] = queuePolicy.map((s) => normalizeDocumentStatement(s as Record<string, unknown>));
    expect(deny).toEqual(templateDeny);
    expect(send?.actions).toEqual(templateSend?.actions);
    expect(send?.resources).toEqual(templateSend?.resources);
    // Deliberately narrower: the template also admits sqs.amazonaws.com and has no source condition.
    expect(templateSend?.principals).toEqual(expect.arrayContaining(send?.principals ?? ["missing"]));
    expect(send?.principals).toEqual(["Service events.amazonaws.com"]);
    expect(templateSend?.conditions).toEqual([]);
    expect(send?.conditions).toHaveLength(1);
  });
});
