import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { AirflowConfigInput } from "../../../../constructs/addons/airflow/config";
import { airflowSecretValueProblems } from "../../../../constructs/addons/airflow/values-check";
import { CHARTS } from "../../../../constructs/core/charts";
import { validateHelmValues, validateSynthesizedStack } from "../../../../scripts/validation";
import {
  countChecked,
  describeWithSchemas,
  expectedOlderReference,
  expectValidStack,
} from "../../../support/schemas";
import { onlyResource } from "../../../support/synth";
import { type Json, manifests, mlflowStub, monitoringStub, synthAirflow } from "./support";

const VARIANTS: Record<string, { config: AirflowConfigInput; extra?: (typeof mlflowStub)[] }> = {
  "KubernetesExecutor, own database, https git, monitoring": {
    config: { enabled: true, gitSync: { repository: "https://github.com/acme/dags.git" } },
    extra: [monitoringStub],
  },
  "CeleryExecutor, shared database, ssh git": {
    config: {
      executor: "CeleryExecutor",
      database: { shareWith: "mlflow" },
      gitSync: {
        repository: "git@github.com:acme/dags.git",
        sshKeySecretName: "dags-key",
        knownHosts:
          "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
      },
    },
    extra: [mlflowStub],
  },
};

function renderedValues(config: AirflowConfigInput, extra: (typeof mlflowStub)[] = []): Json {
  const release = onlyResource(synthAirflow(config, extra).json, "helm_release") as Json;
  return parse(release.values[0]) as Json;
}

/** The failures of the Airflow release when the add-on's values are validated against the reference data. */
function releaseIssues(config: AirflowConfigInput): string[] {
  const report = validateSynthesizedStack(synthAirflow(config).json);
  countChecked(report);
  return report.failures
    .filter((f) => f.kind === "HelmRelease")
    .flatMap((f) => f.issues.map((i) => i.message));
}

describeWithSchemas("Airflow values against the chart's values.yaml and values.schema.json", () => {
  for (const [name, variant] of Object.entries(VARIANTS)) {
    it(`sets only keys the chart has, with the types its schema allows: ${name}`, () => {
      const values = renderedValues(variant.config, variant.extra);
      expect(validateHelmValues("airflow", values).issues).toEqual([]);
    });
  }

  it("fails when an override misspells a top-level key, naming the key and the chart", () => {
    expect(releaseIssues({ helm: { values: { schedular: { replicas: 2 } } } })).toEqual([
      expect.stringMatching(/chart airflow has no value "schedular" .*did you mean "scheduler"\?/),
    ]);
  });

  it("fails when an override misspells a nested key, suggesting the sibling", () => {
    expect(releaseIssues({ helm: { values: { dags: { gitSync: { perod: "10s" } } } } })).toEqual([
      expect.stringMatching(
        /chart airflow has no value "dags\.gitSync\.perod" .*did you mean "dags\.gitSync\.period"/,
      ),
    ]);
    expect(validateHelmValues("airflow", { securityContexts: { pods: {} } }).issues[0]?.message).toMatch(
      /no value "securityContexts\.pods" .*did you mean "securityContexts\.pod"\?/,
    );
  });

  it("lists every problem at once", () => {
    const issues = releaseIssues({ helm: { values: { exector: "x", statsd: { enable: true } } } });
    expect(issues.sort()).toEqual([
      expect.stringMatching(/no value "exector" .*did you mean "executor"/),
      expect.stringMatching(/no value "statsd\.enable" .*did you mean "statsd\.enabled"/),
    ]);
  });

  it("fails when an override gives a chart key the wrong type (values.schema.json)", () => {
    expect(releaseIssues({ helm: { values: { scheduler: { replicas: "two" } } } })).toEqual([
      expect.stringMatching(/values\.schema\.json: scheduler\.replicas: must be integer/),
    ]);
  });

  it("accepts chart keys and anything below open ones (airflow.cfg sections, Kubernetes objects)", () => {
    const config = {
      helm: {
        values: {
          scheduler: { nodeSelector: { pool: "system" }, replicas: 2 },
          config: { core: { parallelism: 64 }, anything: { goes: "here" } },
          workers: { resources: { limits: { "nvidia.com/gpu": 1 } } },
        },
      },
    };
    expect(releaseIssues(config)).toEqual([]);
    const values = renderedValues(config);
    expect(values.scheduler.nodeSelector).toEqual({ pool: "system" });
    expect(values.scheduler.replicas).toBe(2);
    expect(values.config.core.parallelism).toBe(64);
    // Overrides merge into the kit's maps instead of replacing them.
    expect(values.workers.resources.requests).toEqual({ cpu: "500m", memory: "1Gi" });
  });
});

describeWithSchemas("Airflow add-on against the reference schemas", () => {
  for (const [name, variant] of Object.entries(VARIANTS)) {
    it(`validates the chart values (against the declared older chart), Kubernetes objects and custom resources: ${name}`, () => {
      const { json } = synthAirflow(variant.config, variant.extra);
      // Throws on any invalid object.
      const report = expectValidStack(json);
      expect(report.unchecked).toEqual([]);
      expect(report.checked.HelmRelease).toBe(1);
      expect(report.olderReference).toEqual(expectedOlderReference(CHARTS.airflow));
      expect(report.checked.Job).toBe(1);
      expect(report.checked.NetworkPolicy).toBeGreaterThanOrEqual(4);
      if (variant.extra?.includes(monitoringStub)) expect(report.checked.ServiceMonitor).toBe(1);
      // Every custom resource (the ESO resources among them) is validated, never silently passed.
      const crs = manifests(json).length;
      const crKinds = new Set(manifests(json).map((m) => m.kind as string));
      const checkedCrs = [...crKinds].reduce((a, k) => a + (report.checked[k] ?? 0), 0);
      const uncheckedCrs = report.unchecked.filter((u) => crKinds.has(u.kind)).length;
      expect(checkedCrs + uncheckedCrs).toBe(crs);
      // The ESO resources of the Airflow secrets are among them.
      const esoCrs = manifests(json).filter((m) => String(m.apiVersion).includes("external-secrets.io/"));
      expect(esoCrs.length).toBeGreaterThanOrEqual(5);
    });
  }
});

describe("Airflow values never carry secrets", () => {
  it("fails when an override sets a secret-valued chart key, naming the key and the chart", () => {
    expect(() => synthAirflow({ helm: { values: { fernetKey: "c2VjcmV0" } } })).toThrow(
      /chart airflow 1\.22\.0: values key "fernetKey" would put a secret into Helm values/,
    );
    expect(
      airflowSecretValueProblems({
        data: { metadataConnection: { user: "airflow", pass: "hunter2" } },
        webserver: { defaultUser: { password: "admin" } },
        dags: { gitSync: { sshKey: "-----BEGIN OPENSSH PRIVATE KEY-----" } },
      }).map((p) => p.path),
    ).toEqual(["data.metadataConnection", "webserver.defaultUser.password", "dags.gitSync.sshKey"]);
  });

  it("fails when an airflow.cfg option or an env var holds a credential, and accepts _secret/_cmd indirections", () => {
    const problems = airflowSecretValueProblems({
      config: {
        database: { sql_alchemy_conn: "postgresql://a:b@h/db", sql_alchemy_conn_cmd: "cat /secret" },
        smtp: { smtp_password: "x", smtp_host: "mail" },
        logging: { remote_log_conn_id: "aws_default" },
      },
      env: [
        { name: "AIRFLOW__CORE__FERNET_KEY", value: "abc" },
        { name: "AIRFLOW_CONN_WAREHOUSE", value: "postgres://etl:s3cret@warehouse:5432/dw" },
        { name: "AIRFLOW_CONN_AWS_DEFAULT", value: '{"conn_type":"aws"}' },
        { name: "AIRFLOW__API__SECRET_KEY_CMD", value: "cat /run/key" },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      "config.database.sql_alchemy_conn",
      "config.smtp.smtp_password",
      "env[0]",
      "env[1]",
    ]);
    expect(problems[0]?.message).toMatch(/\[database\] sql_alchemy_conn holds a credential/);
  });

  it("passes the kit's own values (secrets only by Secret name)", () => {
    const values = renderedValues({ gitSync: { repository: "https://github.com/acme/dags.git" } });
    expect(airflowSecretValueProblems(values)).toEqual([]);
  });
});
