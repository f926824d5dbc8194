import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { describe, expect, it } from "vitest";
import { ServiceAccountRole, type ServiceAccountRoleProps } from "../../../constructs/cluster";
import { expectDependsOn } from "../../support/depends-on";
import { onlyResource, resourcesOf, synthStack } from "../../support/synth";
import { policyDocumentStatements, synthCluster } from "./fixtures";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const ISSUER_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${ISSUER_HOST}`;

function synthRole(props: Partial<ServiceAccountRoleProps>) {
  return synthStack((stack) => {
    new ServiceAccountRole(stack, "Role", {
      clusterName: "ml",
      namespace: "mlflow",
      serviceAccount: "mlflow-server",
      oidcProviderArn: PROVIDER,
      oidcIssuerUrl: ISSUER,
      ...props,
    });
  });
}

function trustOf(json: ReturnType<typeof synthRole>) {
  const role = onlyResource(json, "aws_iam_role");
  const statements = policyDocumentStatements(json, role.assume_role_policy);
  expect(statements).toHaveLength(1);
  return statements[0] as NonNullable<(typeof statements)[number]>;
}

describe("ServiceAccountRole (irsa)", () => {
  const json = synthRole({ mode: "irsa" });
  const trust = trustOf(json);

  it("trusts the cluster's OIDC provider through web identity only", () => {
    expect(trust.effect).toBe("Allow");
    expect(trust.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(trust.principals).toEqual([{ type: "Federated", identifiers: [PROVIDER] }]);
  });

  it("is scoped to exactly one namespace:serviceaccount and the STS audience", () => {
    expect(trust.condition).toEqual([
      {
        test: "StringEquals",
        variable: `${ISSUER_HOST}:sub`,
        values: ["system:serviceaccount:mlflow:mlflow-server"],
      },
      { test: "StringEquals", variable: `${ISSUER_HOST}:aud`, values: ["sts.amazonaws.com"] },
    ]);
  });

  it("creates no pod identity association", () => {
    expect(resourcesOf(json, "aws_eks_pod_identity_association")).toEqual({});
  });

  it("strips https:// from a token issuer with Terraform's replace()", () => {
    const cluster = synthCluster();
    const docs = cluster.data?.aws_iam_policy_document ?? {};
    const cni = Object.entries(docs).find(([id]) => id.includes("VpcCniRole"))?.[1] as
      | { statement: { condition: { variable: string; values: string[] }[] }[] }
      | undefined;
    const [sub, aud] = cni?.statement[0]?.condition ?? [];
    expect(sub?.variable).toMatch(
      /^\$\{replace\(aws_eks_cluster\.[^.]+\.identity\[0\]\.oidc\[0\]\.issuer, "https:\/\/", ""\)\}:sub$/,
    );
    expect(sub?.values).toEqual(["system:serviceaccount:kube-system:aws-node"]);
    expect(aud?.variable).toMatch(/\}:aud$/);
  });
});

describe("ServiceAccountRole (pod-identity)", () => {
  const json = synthRole({
    mode: "pod-identity",
    managedPolicyArns: { s3: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
    inlinePolicies: { "read-models": '{"Version":"2012-10-17","Statement":[]}' },
    tags: { team: "ml" },
  });
  const trust = trustOf(json);

  it("trusts pods.eks.amazonaws.com with AssumeRole and TagSession", () => {
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }]);
    expect(trust.actions).toEqual(["sts:AssumeRole", "sts:TagSession"]);
  });

  it("is scoped by source account and the session tags of one cluster, namespace and service account", () => {
    const byVariable = Object.fromEntries((trust.condition ?? []).map((c) => [c.variable, c]));
    expect(byVariable["aws:SourceAccount"]?.values[0]).toMatch(
      /^\$\{data\.aws_caller_identity\..*\.account_id\}$/,
    );
    expect(byVariable["aws:RequestTag/eks-cluster-name"]?.values).toEqual(["ml"]);
    expect(byVariable["aws:RequestTag/kubernetes-namespace"]?.values).toEqual(["mlflow"]);
    expect(byVariable["aws:RequestTag/kubernetes-service-account"]?.values).toEqual(["mlflow-server"]);
    expect((trust.condition ?? []).every((c) => c.test === "StringEquals")).toBe(true);
  });

  it("binds the role to the service account with a pod identity association", () => {
    const association = onlyResource(json, "aws_eks_pod_identity_association");
    expect(association).toMatchObject({
      cluster_name: "ml",
      namespace: "mlflow",
      service_account: "mlflow-server",
    });
    expect(association.role_arn).toMatch(/^\$\{aws_iam_role\.[^.]+\.arn\}$/);
  });

  it("attaches managed and inline policies and tags the role", () => {
    expect(
      Object.values(resourcesOf(json, "aws_iam_role_policy_attachment")).map((a) => a.policy_arn),
    ).toEqual(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]);
    const inline = onlyResource(json, "aws_iam_role_policy");
    expect(inline.name).toBe("read-models");
    expect(onlyResource(json, "aws_iam_role").tags).toEqual({ team: "ml" });
  });

  it("lists its attachments, inline policies and association in grants, for workloads to depend on", () => {
    const consumer = synthStack((stack) => {
      const role = new ServiceAccountRole(stack, "Role", {
        clusterName: "ml",
        namespace: "mlflow",
        serviceAccount: "mlflow-server",
        managedPolicyArns: { s3: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
        inlinePolicies: { "read-models": '{"Version":"2012-10-17","Statement":[]}' },
      });
      new S3Bucket(stack, "Consumer", { dependsOn: [...role.grants] });
    });
    for (const type of [
      "aws_iam_role_policy_attachment",
      "aws_iam_role_policy",
      "aws_eks_pod_identity_association",
    ])
      expectDependsOn(consumer, { type: "aws_s3_bucket" }, { type });
  });

  it("is the default mode, and skips the association when an add-on binds the role", () => {
    expect(trustOf(synthRole({})).principals?.[0]?.identifiers).toEqual(["pods.eks.amazonaws.com"]);
    expect(resourcesOf(synthRole({ createAssociation: false }), "aws_eks_pod_identity_association")).toEqual(
      {},
    );
  });

  it("is created for a cluster through EksCluster.serviceAccountRole", () => {
    const cluster = synthCluster({}, (c) => {
      c.serviceAccountRole("Mlflow", { namespace: "mlflow", serviceAccount: "mlflow-server" });
    });
    const associations = Object.values(resourcesOf(cluster, "aws_eks_pod_identity_association"));
    expect(associations).toHaveLength(1);
    expect(associations[0]?.cluster_name).toMatch(/^\$\{aws_eks_cluster\.[^.]+\.name\}$/);
  });
});

describe("ServiceAccountRole validation", () => {
  it("fails when irsa has no OIDC provider or issuer", () => {
    expect(() => synthRole({ mode: "irsa", oidcProviderArn: undefined })).toThrow(
      /oidcProviderArn\/oidcIssuerUrl.*both set when mode is "irsa"/,
    );
  });

  it("fails when irsa asks for a pod identity association", () => {
    expect(() => synthRole({ mode: "irsa", createAssociation: true })).toThrow(/createAssociation: got true/);
  });

  it("fails when the namespace or service account is not a Kubernetes name", () => {
    expect(() => synthRole({ namespace: "ML_Flow" })).toThrow(/Invalid namespace: got "ML_Flow"/);
    expect(() => synthRole({ serviceAccount: "Bad Name" })).toThrow(/Invalid serviceAccount: got "Bad Name"/);
  });

  it("fails when the mode is unknown", () => {
    expect(() => synthRole({ mode: "kiam" as "irsa" })).toThrow(/Invalid mode: got "kiam"/);
  });
});

describe("ServiceAccountRole role name", () => {
  it("uses the given name", () => {
    expect(onlyResource(synthRole({ roleName: "acme-dev-mlflow" }), "aws_iam_role").name).toBe(
      "acme-dev-mlflow",
    );
  });

  it("fails when the role name is longer than IAM allows", () => {
    expect(() => synthRole({ roleName: "r".repeat(65) })).toThrow(/Invalid roleName: got "r{65}"/);
  });
});
