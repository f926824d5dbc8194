import { describe, expect, it } from "vitest";
import { ConfigError, parsePlatformConfig } from "../../../config";
import { AirflowConfigSchema } from "../../../constructs/addons/airflow/config";
import { ExternalSecretsConfigSchema } from "../../../constructs/addons/external-secrets/config";
import { KafkaConfigSchema } from "../../../constructs/addons/kafka/config";
import { KubeflowPipelinesConfigSchema } from "../../../constructs/addons/kubeflow-pipelines/config";
import { MlflowConfigSchema } from "../../../constructs/addons/mlflow/config";
import { allowedKeys } from "../../../constructs/primitives";

const base = { name: "acme", environment: "dev", region: "eu-west-1", preset: "standard" };

function problemsOf(addons: unknown): string[] {
  try {
    parsePlatformConfig({ ...base, addons }, "test.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected the configuration to be rejected");
}

const SCHEMAS = {
  externalSecrets: ExternalSecretsConfigSchema,
  kafka: KafkaConfigSchema,
  mlflow: MlflowConfigSchema,
  airflow: AirflowConfigSchema,
  kubeflowPipelines: KubeflowPipelinesConfigSchema,
};

describe("the helm block of every add-on", () => {
  it("has the same keys in every add-on", () => {
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      expect(allowedKeys(schema as never, ["helm"]), name).toEqual([
        "values",
        "chartVersion",
        "timeoutInSeconds",
        "wait",
        "atomic",
      ]);
    }
  });

  it("defaults to no values and the add-on's release options", () => {
    const c = parsePlatformConfig(base);
    for (const name of Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[]) {
      expect(c.addons[name].helm, name).toEqual({ values: {} });
    }
  });

  it("accepts a chart version within the pin's policy and the release options", () => {
    const c = parsePlatformConfig({
      ...base,
      addons: {
        mlflow: { helm: { chartVersion: "1.11.9", timeoutInSeconds: 1800, wait: false } },
        kubeflowPipelines: { helm: { wait: false, atomic: false, values: { controller: { replicas: 2 } } } },
      },
    });
    expect(c.addons.mlflow.helm).toEqual({
      values: {},
      chartVersion: "1.11.9",
      timeoutInSeconds: 1800,
      wait: false,
    });
    expect(c.addons.kubeflowPipelines.helm.values).toEqual({ controller: { replicas: 2 } });
  });

  it("fails when the chart version is outside the pin's policy, naming the path, the value and the range", () => {
    expect(problemsOf({ mlflow: { helm: { chartVersion: "1.12.0" } } })).toEqual([
      'addons.mlflow.helm.chartVersion: got "1.12.0"; expected an exact mlflow chart version >=1.11.5 <1.12.0 (the pin\'s major and minor); another version needs a new pin in constructs/core/charts.ts',
    ]);
    expect(problemsOf({ kafka: { helm: { chartVersion: "1.1.9" } } })).toEqual([
      expect.stringMatching(
        /^addons\.kafka\.helm\.chartVersion: got "1\.1\.9"; expected an exact strimzi-kafka-operator chart version >=1\.2\.0 <1\.3\.0/,
      ),
    ]);
  });

  it("fails when the timeout is out of range, once", () => {
    expect(problemsOf({ airflow: { helm: { timeoutInSeconds: 30 } } })).toEqual([
      "addons.airflow.helm.timeoutInSeconds: got 30; expected an integer from 60 to 3600",
    ]);
  });

  it("fails when atomic is asked for without waiting", () => {
    expect(problemsOf({ externalSecrets: { helm: { wait: false, atomic: true } } })).toEqual([
      "addons.externalSecrets.helm.atomic: got true with wait false; an atomic release makes Helm wait: set wait true or atomic false",
    ]);
  });

  it("fails when MLflow or Airflow are told to wait, with the reason", () => {
    const reason = /expected false: the pods start only once External Secrets has created their Secrets/;
    const problems = problemsOf({ mlflow: { helm: { wait: true } }, airflow: { helm: { atomic: true } } });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^addons\.mlflow\.helm\.wait: got true; /);
    expect(problems[0]).toMatch(reason);
    expect(problems[1]).toMatch(/^addons\.airflow\.helm\.atomic: got true; /);
    expect(problems[1]).toMatch(reason);
  });

  it("fails when a release that cannot wait is asked for atomic without waiting, with the reason only", () => {
    expect(problemsOf({ mlflow: { helm: { wait: false, atomic: true } } })).toEqual([
      expect.stringMatching(
        /^addons\.mlflow\.helm\.atomic: got true; expected false: the pods start only once External Secrets/,
      ),
    ]);
  });

  it("fails when Kafka's helm block is set in MSK mode, which installs no chart", () => {
    expect(problemsOf({ kafka: { mode: "msk", helm: { values: { replicas: 2 } } } })).toEqual([
      'addons.kafka.helm: helm is set but mode is "msk", which installs no Helm chart; the block configures the Strimzi operator\'s release (mode "strimzi")',
    ]);
  });

  it("fails when a configuration uses a removed key, naming the key that replaced it", () => {
    expect(
      problemsOf({
        externalSecrets: { helmValues: { a: 1 } },
        kafka: { strimzi: { helmValues: { a: 1 } } },
        mlflow: { helmValues: { a: 1 } },
        airflow: { helmValues: { a: 1 } },
        kubeflowPipelines: { overrides: { argoValues: { a: 1 } } },
      }),
    ).toEqual([
      'addons.externalSecrets.helmValues: unknown key "helmValues": it moved to addons.externalSecrets.helm.values',
      'addons.kafka.strimzi.helmValues: unknown key "helmValues": it moved to addons.kafka.helm.values',
      'addons.mlflow.helmValues: unknown key "helmValues": it moved to addons.mlflow.helm.values',
      'addons.airflow.helmValues: unknown key "helmValues": it moved to addons.airflow.helm.values',
      'addons.kubeflowPipelines.overrides.argoValues: unknown key "argoValues": it moved to addons.kubeflowPipelines.helm.values',
    ]);
  });
});
