import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../config";
import { AddOnsSchema } from "../../config/addons";
import { PLATFORM_ADD_ONS } from "../../constructs/addons";
import { configProblems } from "../support/errors";

const base = { name: "acme", environment: "dev", region: "eu-west-1" };

function problemsOf(doc: unknown): string[] {
  return configProblems(() => parsePlatformConfig(doc, "test.yaml"));
}

describe("add-on sections of the platform configuration", () => {
  it("has one section per registry entry with a section, in registry order", () => {
    const keys = PLATFORM_ADD_ONS.flatMap((d) => ("config" in d ? [d.config.key] : []));
    expect(Object.keys(AddOnsSchema.shape)).toEqual(keys);
    expect(keys).toEqual([
      "awsLoadBalancerController",
      "externalSecrets",
      "kafka",
      "mlflow",
      "airflow",
      "kubeflowPipelines",
      "monitoring",
      "logging",
      "metricsServer",
      "externalDns",
      "certManager",
      "serving",
    ]);
  });

  it("fails when add-ons that need External Secrets are on without it, naming them all", () => {
    const problems = problemsOf({
      ...base,
      preset: "standard",
      addons: { externalSecrets: { enabled: false } },
    });
    expect(problems).toEqual([
      "addons.externalSecrets.enabled: got false; mlflow, airflow, kubeflowPipelines, monitoring, logging depend on it (External Secrets Operator: syncs AWS Secrets Manager secrets and generated passwords into Kubernetes Secrets): set addons.externalSecrets.enabled: true",
    ]);
  });

  it("fails when one add-on needs External Secrets, in the singular", () => {
    expect(problemsOf({ ...base, preset: "minimal", addons: { mlflow: { enabled: true } } })).toEqual([
      expect.stringMatching(/^addons\.externalSecrets\.enabled: got false; mlflow depends on it \(/),
    ]);
  });

  it("fails when Airflow shares MLflow's database with MLflow off, at shareWith", () => {
    const problems = problemsOf({
      ...base,
      preset: "minimal",
      addons: {
        externalSecrets: { enabled: true },
        airflow: { enabled: true, database: { shareWith: "mlflow" } },
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^addons\.airflow\.database\.shareWith: airflow\.database\.shareWith "mlflow" needs addons\.mlflow\.enabled: true/,
      ),
    ]);
  });

  it("fails when an add-on has an ingress while the load balancer controller is off, at each ingress", () => {
    const ingress = (host: string) => ({
      host,
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x",
    });
    const problems = problemsOf({
      ...base,
      preset: "standard",
      addons: {
        awsLoadBalancerController: { enabled: false },
        mlflow: { ingress: ingress("mlflow.example.com") },
        monitoring: { grafana: { ingress: ingress("grafana.example.com") } },
        logging: { eck: { kibana: { ingress: ingress("kibana.example.com") } } },
      },
    });
    const needs = (host: string) =>
      `an ingress for "${host}" needs the AWS Load Balancer Controller, which makes its ALB: set addons.awsLoadBalancerController.enabled: true, or remove the ingress`;
    expect(problems).toEqual([
      `addons.mlflow.ingress: ${needs("mlflow.example.com")}`,
      `addons.monitoring.grafana.ingress: ${needs("grafana.example.com")}`,
      `addons.logging.eck.kibana.ingress: ${needs("kibana.example.com")}`,
    ]);
  });

  it("fails when an internet-facing ingress has no CIDRs, naming the add-on's path", () => {
    expect(
      problemsOf({
        ...base,
        preset: "standard",
        addons: {
          monitoring: {
            grafana: {
              ingress: {
                host: "grafana.example.com",
                certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x",
                scheme: "internet-facing",
              },
            },
          },
        },
      }),
    ).toEqual([
      expect.stringMatching(
        /^addons\.monitoring\.grafana\.ingress\.allowedCidrs: required when scheme is "internet-facing"/,
      ),
    ]);
  });

  it("fails when ingresses of one group disagree on the ALB they share, at the later ingress", () => {
    const cert = "arn:aws:acm:eu-west-1:123456789012:certificate/x";
    expect(
      problemsOf({
        ...base,
        preset: "standard",
        addons: {
          mlflow: { ingress: { host: "mlflow.example.com", certificateArn: cert, groupName: "uis" } },
          monitoring: {
            grafana: {
              ingress: {
                host: "grafana.example.com",
                certificateArn: cert,
                groupName: "uis",
                scheme: "internet-facing",
                allowedCidrs: ["203.0.113.0/24"],
              },
            },
          },
          logging: {
            eck: {
              kibana: { ingress: { host: "kibana.example.com", certificateArn: cert, groupName: "uis" } },
            },
          },
        },
      }),
    ).toEqual([
      'addons.monitoring.grafana.ingress.scheme: got "internet-facing"; ingresses of group "uis" share one ALB, and addons.mlflow.ingress has "internal": give them the same scheme',
      'addons.monitoring.grafana.ingress.allowedCidrs: got ["203.0.113.0/24"]; ingresses of group "uis" share one ALB, and addons.mlflow.ingress has none (the VPC CIDR): give them the same allowedCidrs',
    ]);
  });

  it("accepts ingresses with the controller on (the standard preset)", () => {
    const ingress = {
      host: "mlflow.example.com",
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x",
    };
    const c = parsePlatformConfig({ ...base, preset: "standard", addons: { mlflow: { ingress } } });
    expect(c.addons.awsLoadBalancerController.enabled).toBe(true);
    expect(c.addons.mlflow.ingress?.scheme).toBe("internal");
  });

  it("accepts a selection whose dependencies are on", () => {
    const c = parsePlatformConfig({
      ...base,
      preset: "minimal",
      addons: {
        externalSecrets: { enabled: true },
        mlflow: { enabled: true },
        airflow: { enabled: true, database: { shareWith: "mlflow" } },
      },
    });
    expect(c.addons.airflow.database.shareWith).toBe("mlflow");
  });
});
