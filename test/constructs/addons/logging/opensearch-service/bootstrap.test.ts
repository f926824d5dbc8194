import { describe, expect, it } from "vitest";
import {
  BOOTSTRAP_SCRIPT,
  CURL_IMAGE,
  requestFiles,
  writerSecurityRequests,
} from "../../../../../constructs/addons/logging/opensearch-service";
import { synthAddOns } from "../../../../support/addons";
import { onlyResource, parsePolicy, resourcesOf } from "../../../../support/synth";
import { type Json, loggingProbe, WRITER } from "./support";

const REQUESTS = writerSecurityRequests({ writerRoleArns: [WRITER], indexPatterns: ["logs-containers-*"] });
const CONFIGURED_MASTER = "arn:aws:iam::123456789012:role/platform-admin";

function synthBootstrap(masterUserArn?: string) {
  return synthAddOns([loggingProbe(masterUserArn)]).json as Json;
}

describe("OpenSearchBootstrap", () => {
  const json = synthBootstrap();
  const job = onlyResource(json, "kubernetes_job_v1") as Json;
  const pod = job.spec.template.spec;
  const container = pod.container[0];
  const domainKey = Object.keys(resourcesOf(json, "aws_opensearch_domain"))[0];
  const adminKey = Object.entries(resourcesOf(json, "aws_iam_role")).find(
    ([, r]) => r.name === "acme-dev-logs-admin",
  )?.[0];
  const policyNamed = (name: string) =>
    Object.values(resourcesOf(json, "aws_iam_role_policy")).find((p) => p.name === name) as Json;

  it("runs the script and the requests from a ConfigMap with curl, without blocking the apply", () => {
    expect(job.wait_for_completion).toBe(false);
    expect(container.image).toBe(CURL_IMAGE);
    expect(container.command).toEqual(["/bin/sh", "/bootstrap/bootstrap.sh"]);
    const cm = onlyResource(json, "kubernetes_config_map_v1") as Json;
    expect(cm.data).toEqual({ "bootstrap.sh": BOOTSTRAP_SCRIPT, ...requestFiles(REQUESTS) });
    const cmKey = Object.keys(resourcesOf(json, "kubernetes_config_map_v1"))[0];
    // Re-run on change: the Job's name is a hash of the ConfigMap's data, computed by Terraform.
    expect(job.metadata.name).toBe(
      `opensearch-bootstrap-\${substr(sha256(jsonencode(kubernetes_config_map_v1.${cmKey}.data)), 0, 10)}`,
    );
    expect(cm.metadata.name).toBe("opensearch-bootstrap");
    expect(pod.volume).toEqual([
      { name: "bootstrap", config_map: { name: `\${kubernetes_config_map_v1.${cmKey}.metadata[0].name}` } },
    ]);
  });

  it("points the script at the domain endpoint and the master role, with no credentials in the spec", () => {
    const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));
    expect(env).toEqual({
      AWS_REGION: "eu-west-1",
      OPENSEARCH_ENDPOINT: `\${aws_opensearch_domain.${domainKey}.endpoint}`,
      MASTER_ROLE_ARN: `\${aws_iam_role.${adminKey}.arn}`,
      REQUESTS_DIR: "/bootstrap",
    });
    expect(JSON.stringify(job)).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|secret_key_ref/);
  });

  it("runs restricted: non-root curl user, no privilege escalation, no capabilities, read-only root, requests", () => {
    expect(pod.security_context).toMatchObject({
      run_as_non_root: true,
      run_as_user: "100",
      run_as_group: "101",
    });
    expect(container.security_context).toMatchObject({
      allow_privilege_escalation: false,
      capabilities: { drop: ["ALL"] },
      read_only_root_filesystem: true,
    });
    expect(container.resources).toEqual({
      requests: { cpu: "10m", memory: "16Mi" },
      limits: { memory: "64Mi" },
    });
    expect(pod.automount_service_account_token).toBe(false);
  });

  it("gets its AWS identity through IRSA: an annotated service account whose role may only assume the master", () => {
    const sa = onlyResource(json, "kubernetes_service_account_v1") as Json;
    expect(pod.service_account_name).toBe("opensearch-bootstrap");
    expect(sa.metadata.name).toBe("opensearch-bootstrap");
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^\$\{aws_iam_role\.[^.]+\.arn\}$/);
    const inline = policyNamed("assume-opensearch-master");
    expect(parsePolicy(inline.policy).Statement).toEqual([
      {
        Sid: "BecomeMaster",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: `\${aws_iam_role.${adminKey}.arn}`,
      },
    ]);
  });

  it("admits the Job's HTTPS egress (STS and the domain) in the default-deny namespace", () => {
    const policies = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as Json[];
    const https = policies.find(
      (p) => p.spec.pod_selector.match_labels?.["app.kubernetes.io/name"] === "opensearch-bootstrap",
    );
    expect(https?.spec.egress).toEqual([{ ports: [{ port: "443", protocol: "TCP" }] }]);
  });
});

describe("OpenSearchBootstrap with a configured master", () => {
  it("assumes the configured role", () => {
    const json = synthBootstrap(CONFIGURED_MASTER);
    const container = (onlyResource(json, "kubernetes_job_v1") as Json).spec.template.spec.container[0];
    expect(container.env.find((e: Json) => e.name === "MASTER_ROLE_ARN").value).toBe(CONFIGURED_MASTER);
  });

  it("fails when the master user is an IAM user, which the Job cannot assume", () => {
    expect(() => synthBootstrap("arn:aws:iam::123456789012:user/admin")).toThrow(
      /addons\.logging\.openSearchService\.masterUserArn: got "arn:aws:iam::123456789012:user\/admin"; expected an IAM role ARN for the bootstrap Job to assume/,
    );
  });
});
