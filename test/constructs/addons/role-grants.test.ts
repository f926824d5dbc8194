/**
 * Workloads that call AWS with an IRSA role wait for the role's permissions, not only for the role: their
 * values or env reference the role ARN, which Terraform orders, while the policies granting the access are
 * separate resources it would create in parallel (pods then start with a role that may do nothing yet).
 */
import { describe, it } from "vitest";
import { karpenterAddOn } from "../../../constructs/addons/karpenter";
import { loggingAddOn } from "../../../constructs/addons/logging";
import { synthAddOns } from "../../support/addons";
import { expectDependsOn } from "../../support/depends-on";
import { synthAirflow } from "./airflow/support";
import { synthController } from "./aws-load-balancer-controller/support";
import { synthExternalDns } from "./external-dns/support";
import { synthKfp } from "./kubeflow-pipelines/support";
import { synthMlflow } from "./mlflow/support";

describe("Helm add-ons and KFP workloads after their IRSA roles' grants", () => {
  it("mlflow helm_release after the mlflow-server role's aws_iam_role_policy (artifacts)", () => {
    expectDependsOn(
      synthMlflow().json,
      { type: "helm_release", id: /_mlflow_Release_/ },
      { type: "aws_iam_role_policy", id: /mlflow-server_Policy-mlflow-artifacts_/ },
    );
  });

  it("airflow helm_release after every component role's aws_iam_role_policy (task logs)", () => {
    const { json } = synthAirflow({ enabled: true });
    const edges = expectDependsOn(
      json,
      { type: "helm_release", id: /_airflow_Release_/ },
      {
        type: "aws_iam_role_policy",
        id: /airflow-(scheduler|apiServer|triggerer|workers)_Policy-airflow-logs-/,
      },
    );
    if (edges !== 4) throw new Error(`expected the four component roles, got ${edges} edges`);
  });

  it("external-dns helm_release after its role's aws_iam_role_policy (the one hosted zone)", () => {
    expectDependsOn(
      synthExternalDns(),
      { type: "helm_release", id: /_external-dns_Release_/ },
      { type: "aws_iam_role_policy", id: /external-dns_Policy-external-dns-route53_/ },
    );
  });

  it("the OpenSearch-mode fluent-bit helm_release after the collector role's domain write aws_iam_role_policy", () => {
    expectDependsOn(
      synthAddOns([loggingAddOn({ mode: "opensearch-service" })]).json,
      { type: "helm_release", id: /_Collector_Release_/ },
      { type: "aws_iam_role_policy", id: /_Writer-collector_/ },
    );
  });

  it("aws-load-balancer-controller helm_release after its role's aws_iam_role_policy (the published policy)", () => {
    expectDependsOn(
      synthController().json,
      { type: "helm_release", id: /_aws-load-balancer-controller_Release_/ },
      { type: "aws_iam_role_policy", id: /_Policy-aws-load-balancer-controller_/ },
    );
  });

  it("karpenter helm_release after every controller policy attachment and the karpenter-crd release", () => {
    const { json } = synthAddOns([karpenterAddOn({ systemPools: ["system"] })]);
    const edges = expectDependsOn(
      json,
      { type: "helm_release", id: /_karpenter_Release_/ },
      { type: "aws_iam_role_policy_attachment", id: /karpenter-controller_/ },
    );
    if (edges !== 7) throw new Error(`expected the seven controller policies, got ${edges} edges`);
    expectDependsOn(
      json,
      { type: "helm_release", id: /_karpenter_Release_/ },
      { type: "helm_release", id: /_karpenter_CrdRelease_/ },
    );
  });

  it("the KFP API server and UI kubernetes_deployment_v1 after the Kfp*Role aws_iam_role_policy (artifacts)", () => {
    expectDependsOn(
      synthKfp({ enabled: true }).json,
      { type: "kubernetes_deployment_v1", id: /_(ApiServer|Ui)_/ },
      { type: "aws_iam_role_policy", id: /Kfp(ApiServer|Ui|PipelineRunner)Role_Policy-kfp-artifacts_/ },
    );
  });

  it("karpenter helm_release after the node role's policy attachments and its access entry", () => {
    const { json } = synthAddOns([karpenterAddOn({ systemPools: ["system"] })]);
    const release = { type: "helm_release", id: /_karpenter_Release_/ };
    const policies = expectDependsOn(json, release, {
      type: "aws_iam_role_policy_attachment",
      id: /_karpenter_Aws_NodeRole-/,
    });
    if (policies !== 3) throw new Error(`expected the node role's three policies, got ${policies} edges`);
    expectDependsOn(json, release, { type: "aws_eks_access_entry", id: /_karpenter_Aws_NodeAccessEntry_/ });
  });
});
