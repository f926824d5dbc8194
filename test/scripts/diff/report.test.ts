import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { applyRulePack } from "../../../constructs/policy/rule-pack";
import { reportJson } from "../../../scripts/diff/cli";
import { renderMarkdown } from "../../../scripts/diff/markdown";
import type { DiffReport, Section } from "../../../scripts/diff/model";
import { diffSection, exitStatus, risks } from "../../../scripts/diff/report";
import { changeAt, changes, oneStack, risksOf, synthSnapshot } from "./support";

/**
 * The offline diff on pairs of synthesized apps: each case builds a base and a head that differ by one change a
 * pull request makes, synthesizes both in-process, and checks what the diff says about it.
 */

const report = (section: Section): DiffReport => ({
  format: "mlops-kit-diff/1",
  base: "base",
  head: "head",
  sections: [section],
});

const bucket = (scope: Construct, id: string, name: string) =>
  new S3Bucket(scope, id, { bucket: name, lifecycle: { preventDestroy: true } });

describe("a bucket renamed", () => {
  const section = diffSection(
    "default",
    oneStack((s) => bucket(s, "Raw", "demo-raw")),
    oneStack((s) => bucket(s, "Raw", "demo-raw-zone")),
  );

  it("is a replacement of a stateful resource, flagged with the attribute that forces it", () => {
    const c = changeAt(section, "aws_s3_bucket.Raw");
    expect(c.action).toBe("replace");
    expect(c.attributes).toEqual([
      { path: "bucket", before: '"demo-raw"', after: '"demo-raw-zone"', forcesReplacement: true },
    ]);
    const [risk] = risksOf(c);
    expect(risk.kind).toBe("stateful");
    expect(risk.message).toContain("`bucket` forces a new resource");
    expect(exitStatus(report(section), false)).toBe(1);
    expect(exitStatus(report(section), true)).toBe(0);
  });

  it("is an in-place update, no risk, when only an updatable attribute changes", () => {
    const s = diffSection(
      "default",
      oneStack(
        (st) =>
          new S3Bucket(st, "Raw", {
            bucket: "demo-raw",
            tags: { team: "a" },
            lifecycle: { preventDestroy: true },
          }),
      ),
      oneStack(
        (st) =>
          new S3Bucket(st, "Raw", {
            bucket: "demo-raw",
            tags: { team: "b" },
            lifecycle: { preventDestroy: true },
          }),
      ),
    );
    const c = changeAt(s, "aws_s3_bucket.Raw");
    expect(c.action).toBe("update");
    expect(risksOf(c)).toEqual([]);
  });
});

describe("a construct id renamed", () => {
  class Zone extends Construct {
    constructor(scope: Construct, id: string) {
      super(scope, id);
      const b = bucket(this, "Bucket", "demo-raw");
      new S3BucketVersioningA(this, "Versioning", {
        bucket: b.id,
        versioningConfiguration: { status: "Enabled" },
      });
    }
  }
  const base = oneStack((s) => new Zone(s, "Raw"));

  it("is a move of each resource, with a moved block to add, and a risk for the bucket until it is added", () => {
    const section = diffSection(
      "default",
      base,
      oneStack((s) => new Zone(s, "RawZone")),
    );
    const moved = changes(section);
    expect(moved.map((c) => c.action)).toEqual(["move", "move"]);
    const b = moved.find((c) => c.type === "aws_s3_bucket");
    expect(b?.from).toMatch(/^aws_s3_bucket\.Raw_Bucket_[0-9A-F]{8}$/);
    expect(b?.address).toMatch(/^aws_s3_bucket\.RawZone_Bucket_[0-9A-F]{8}$/);
    expect(b?.movedBlock).toBe(`moved {\n  from = ${b?.from}\n  to   = ${b?.address}\n}`);
    // The versioning's reference to the bucket moved with it: no attribute changed.
    expect(moved.every((c) => c.attributes.length === 0)).toBe(true);
    expect(risksOf(b as never).map((f) => f.kind)).toEqual(["stateful"]);
  });

  it("is a removal and an addition, with a hint of the moved block, when an attribute changed too", () => {
    const section = diffSection(
      "default",
      oneStack((s) => bucket(s, "Raw", "demo-raw")),
      oneStack((s) => bucket(s, "RawZone", "demo-raw-zone")),
    );
    const removed = changeAt(section, "aws_s3_bucket.Raw");
    expect(removed.action).toBe("delete");
    expect(risksOf(removed).map((f) => f.kind)).toEqual(["stateful"]);
    expect(removed.flags.map((f) => f.message)).toContain(
      "if `aws_s3_bucket.RawZone` is this resource under a new address, add moved { from = aws_s3_bucket.Raw, to = aws_s3_bucket.RawZone } (its attributes differ, so the diff cannot tell)",
    );
    expect(changeAt(section, "aws_s3_bucket.RawZone").action).toBe("create");
  });

  it("is a declared move, with no risk and nothing to add, when the head has the moved block", () => {
    const from = changes(
      diffSection(
        "default",
        base,
        oneStack((s) => new Zone(s, "RawZone")),
      ),
    ).find((c) => c.type === "aws_s3_bucket")?.from as string;
    const head = oneStack((s) => {
      const z = new Zone(s, "RawZone");
      (z.node.findChild("Bucket") as S3Bucket).moveFromId(from);
    });
    const b = changes(diffSection("default", base, head)).find((c) => c.type === "aws_s3_bucket");
    expect(b?.action).toBe("move");
    expect(b?.movedBlock).toBeUndefined();
    expect(risksOf(b as never)).toEqual([]);
  });
});

describe("security widening", () => {
  const policy = (s: TerraformStack, actions: string[], resources: string[]) => {
    const doc = new DataAwsIamPolicyDocument(s, "ReadDoc", {
      statement: [{ effect: "Allow", actions, resources }],
    });
    new IamPolicy(s, "Read", { name: "read", policy: doc.json });
    new IamPolicy(s, "Inline", {
      name: "inline",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: actions, Resource: resources }],
      }),
    });
  };
  const ingress = (s: TerraformStack, cidr: string) =>
    new VpcSecurityGroupIngressRule(s, "Https", {
      securityGroupId: "sg-0123456789abcdef0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: cidr,
    });
  const section = diffSection(
    "default",
    oneStack((s) => {
      policy(s, ["s3:GetObject"], ["arn:aws:s3:::demo-raw/*"]);
      ingress(s, "10.0.0.0/16");
    }),
    oneStack((s) => {
      policy(s, ["s3:*"], ["*"]);
      ingress(s, "0.0.0.0/0");
    }),
  );

  it("flags an IAM statement widened to * (the data source and a JSON policy alike)", () => {
    for (const address of ["data.aws_iam_policy_document.ReadDoc", "aws_iam_policy.Inline"]) {
      const messages = risksOf(changeAt(section, address)).map((f) => `${f.kind}: ${f.message}`);
      expect(messages).toContain("security: IAM allows wildcard actions `s3:*`");
      expect(messages).toContain("security: IAM allows actions on every resource (`*`)");
    }
  });

  it("flags a security group rule opened to 0.0.0.0/0", () => {
    const c = changeAt(section, "aws_vpc_security_group_ingress_rule.Https");
    expect(c.action).toBe("update");
    expect(risksOf(c).map((f) => f.message)).toEqual([
      "security group ingress opened to the internet: `0.0.0.0/0 port 443`",
    ]);
  });

  it("does not flag the narrowing back", () => {
    const back = diffSection(
      "default",
      oneStack((s) => {
        policy(s, ["s3:*"], ["*"]);
        ingress(s, "0.0.0.0/0");
      }),
      oneStack((s) => {
        policy(s, ["s3:GetObject"], ["arn:aws:s3:::demo-raw/*"]);
        ingress(s, "10.0.0.0/16");
      }),
    );
    expect(risks(report(back)).filter((f) => f.kind === "security")).toEqual([]);
  });
});

describe("policy delta", () => {
  const app = (withBucket: boolean) =>
    synthSnapshot((a) => {
      const s = new TerraformStack(a, "demo-dev-foundation");
      new AwsProvider(s, "aws", { region: "eu-west-1" });
      new SqsQueue(s, "Jobs", { name: "jobs", sqsManagedSseEnabled: true });
      // A role whose trust policy (a Terraform expression) the pack cannot read at synthesis: a warning (MLOPS-IAM-002), which synth allows.
      if (withBucket)
        new IamRole(s, "Scratch", { name: "scratch", assumeRolePolicy: ["${", "var.trust}"].join("") });
      applyRulePack(a, { environment: "dev", failOnError: false });
    });
  const section = diffSection("default", app(false), app(true));

  it("lists the rule pack's findings the change adds, at the new resource, and none removed", () => {
    const added = section.policy?.added ?? [];
    expect(added.length).toBeGreaterThan(0);
    expect(new Set(added.map((f) => f.path))).toEqual(new Set(["demo-dev-foundation/Scratch"]));
    expect(added.map((f) => `${f.ruleId} ${f.level}`)).toEqual(["MLOPS-IAM-002 warning"]);
    expect(section.policy?.removed).toEqual([]);
    expect(risks(report(section)).filter((f) => f.kind === "policy").length).toBe(
      added.filter((f) => f.level !== "info").length,
    );
  });

  it("lists them as removed when the change fixes them", () => {
    const back = diffSection("default", app(true), app(false));
    expect(back.policy?.removed.map((f) => f.ruleId)).toEqual(section.policy?.added.map((f) => f.ruleId));
    expect(back.policy?.added).toEqual([]);
  });
});

describe("sensitive values", () => {
  const SECRETS = {
    old: ["s3cr3t-one", "tok-aaa", "pw-old", "rnd-old"],
    now: ["s3cr3t-two", "tok-bbb", "pw-new", "rnd-new"],
  };
  const app = (i: 0 | 1) =>
    synthSnapshot((a) => {
      const s = new TerraformStack(a, "demo-dev-platform");
      new KubernetesProvider(s, "kubernetes", {});
      new HelmProvider(s, "helm", {});
      const v = i === 0 ? SECRETS.old : SECRETS.now;
      new SecretV1(s, "Db", { metadata: { name: "db", namespace: "apps" }, data: { password: v[0] } });
      new TerraformOutput(s, "token", { value: v[1], sensitive: true });
      new Release(s, "Cache", {
        name: "cache",
        chart: "redis",
        version: "1.0.0",
        values: [`auth:\n  password: ${v[2]}\nreplicas: ${i + 1}\n`],
      });
      new ConfigMapV1(s, "Env", {
        metadata: { name: "env", namespace: "apps" },
        data: {
          DATABASE_URL: `postgres://app:\${random_password.db_${v[3].replace("-", "_")}.result}@db:5432/app`,
          MODE: i === 0 ? "a" : "b",
        },
      });
    });
  const section = diffSection("default", app(0), app(1));
  const r = report(section);

  it("shows each changed secret as (redacted, changed) and keeps plain values", () => {
    const attr = (address: string, path: string) =>
      changeAt(section, address).attributes.find((a) => a.path === path);
    expect(attr("kubernetes_secret_v1.Db", "data.password")).toEqual({
      path: "data.password",
      before: "(redacted)",
      after: "(redacted, changed)",
    });
    expect(attr("output.token", "value")).toEqual({
      path: "value",
      before: "(redacted)",
      after: "(redacted, changed)",
    });
    expect(attr("helm_release.Cache", "values[0].auth.password")?.after).toBe("(redacted, changed)");
    expect(attr("kubernetes_config_map_v1.Env", "data.DATABASE_URL")?.after).toBe("(redacted, changed)");
    expect(attr("helm_release.Cache", "values[0].replicas")).toEqual({
      path: "values[0].replicas",
      before: "1",
      after: "2",
    });
    expect(attr("kubernetes_config_map_v1.Env", "data.MODE")).toEqual({
      path: "data.MODE",
      before: '"a"',
      after: '"b"',
    });
  });

  it("never writes a secret into the comment or the JSON", () => {
    const out = renderMarkdown(r) + reportJson(r, false);
    for (const s of [...SECRETS.old, ...SECRETS.now]) expect(out).not.toContain(s);
    for (const s of ["rnd_old", "rnd_new"]) expect(out).not.toContain(s);
    expect(out).toContain("(redacted, changed)");
  });
});
