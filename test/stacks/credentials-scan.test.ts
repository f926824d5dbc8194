import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import { synthPlatform } from "../support/platform";

/** Something in synthesized Terraform that looks like a credential. */
interface Hit {
  readonly path: string;
  readonly why: string;
}

const ACCESS_KEY_ID = /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** Keys whose value must never be a literal. */
const SECRET_KEY =
  /(password|passwd|secret|token|access[_-]?key([_-]?id)?|private[_-]?key|fernet|credentials?)$/i;
/** Values that are references, not secrets: Terraform expressions, ESO templates, env-var or secret-name lookups. */
const REFERENCE = /^\$\{.*\}$|\{\{[^}]*\}\}|^$|^(true|false)$/;
/** Keys that name where a secret lives rather than holding it. */
const NAMES_A_SECRET =
  /(secret|password|token|credentials?)[-_]?(name|ref|arn|key[-_]?ref|file|path|id|mount)s?$|^existing|secretname|secretref|secretkeyref|secretarn/i;

function scan(value: unknown, path: string, hits: Hit[]): void {
  if (typeof value === "string") {
    if (ACCESS_KEY_ID.test(value)) hits.push({ path, why: "AWS access key id pattern" });
    if (PRIVATE_KEY.test(value)) hits.push({ path, why: "PEM private key" });
    // Helm values travel as YAML strings: scan inside them too (only a release's: IAM conditions have values too).
    if (/\.helm_release\.[^.]+\.values\[\d+\]$/.test(path)) {
      try {
        scan(parse(value), `${path}<yaml>`, hits);
      } catch {
        hits.push({ path, why: "Helm values that do not parse as YAML" });
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) scan(v, `${path}[${i}]`, hits);
    return;
  }
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      const here = `${path}.${k}`;
      if (SECRET_KEY.test(k) && !NAMES_A_SECRET.test(k) && (typeof v === "string" || typeof v === "number")) {
        if (!REFERENCE.test(String(v)))
          hits.push({ path: here, why: `literal value for a secret-like key "${k}"` });
      }
      // Kubernetes env entries: { name: SOMETHING_PASSWORD, value: "literal" }.
      if (
        k === "value" &&
        typeof v === "string" &&
        typeof obj.name === "string" &&
        SECRET_KEY.test(obj.name)
      ) {
        if (!REFERENCE.test(v)) hits.push({ path: here, why: `literal value for env var "${obj.name}"` });
      }
      scan(v, here, hits);
    }
  }
}

function credentialHits(json: unknown, root = "$"): Hit[] {
  const hits: Hit[] = [];
  scan(json, root, hits);
  return hits;
}

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
