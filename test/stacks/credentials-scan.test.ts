import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { credentialHits } from "../../.ci/checkov/credentials.mjs";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import { synthPlatform } from "../support/platform";

describe("no static credential or plain password in any synthesized stack", () => {
  it("the scanner flags what it must (so the scans below can fail)", () => {
    expect(
      credentialHits({ env: [{ name: "AWS_ACCESS_KEY_ID", value: "AKIAABCDEFGHIJKLMNOP" }] }),
    ).toHaveLength(2);
    expect(credentialHits({ resource: { aws_db_instance: { db: { password: "hunter2hunter2" } } } })).toEqual(
      [
        {
          path: "$.resource.aws_db_instance.db.password",
          why: 'literal value for a secret-like key "password"',
        },
      ],
    );
    expect(
      credentialHits({ resource: { helm_release: { r: { values: ["auth:\n  adminPassword: s3cret\n"] } } } }),
    ).toHaveLength(1);
    expect(credentialHits({ env: [{ name: "DB_PASSWORD", value: "plain" }] })).toHaveLength(1);
    // References are fine: Terraform expressions, ESO templates, secret names.
    expect(
      credentialHits({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform reference, as cdktf writes it
        password: "${aws_db_instance.db.master_user_secret[0].secret_arn}",
        connection: "postgresql://u:{{ .password }}@h/db",
        existingSecret: "mlflow-db",
        passwordSecretName: "x",
      }),
    ).toEqual([]);
  });

  const platforms: [string, unknown][] = [
    ["embedded default (Strimzi)", EMBEDDED_DEFAULT],
    ["default with Kafka on MSK", { ...EMBEDDED_DEFAULT, addons: { kafka: { enabled: true, mode: "msk" } } }],
    [
      "Airflow sharing MLflow's database, Kubeflow metadata in the cluster",
      {
        ...EMBEDDED_DEFAULT,
        addons: {
          ...(EMBEDDED_DEFAULT.addons ?? {}),
          airflow: { enabled: true, database: { shareWith: "mlflow" } },
          kubeflowPipelines: { enabled: true, metadata: { store: "in-cluster" } },
        },
      },
    ],
  ];
  for (const [name, doc] of platforms) {
    it(`${name}: every stack is free of credentials`, () => {
      const { stacks } = synthPlatform(doc);
      expect(Object.keys(stacks).length).toBeGreaterThanOrEqual(3);
      const hits = Object.entries(stacks).flatMap(([stack, json]) => credentialHits(json, stack));
      expect(hits).toEqual([]);
      // Secrets exist only as references: RDS manages its master password, ESO generates the rest.
      const text = JSON.stringify(stacks);
      expect(text).toContain('"manage_master_user_password":true');
      expect(text).not.toMatch(/"(master_)?password":"(?!\$\{|\{\{)/);
    });
  }
});
