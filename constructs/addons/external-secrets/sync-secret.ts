import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { ServiceAccountRole } from "../../cluster/service-account-role";
import type { AddOnContext } from "../../core/addon";
import { ARN } from "../../primitives";

export const EXTERNAL_SECRET_API = "external-secrets.io/v1";
export const GENERATOR_API = "generators.external-secrets.io/v1alpha1";
/** Encodings of ESO's Password generator (`spec.encoding`). */
export const PASSWORD_ENCODINGS = ["raw", "base64", "base64url", "base32", "hex"] as const;
export type PasswordEncoding = (typeof PASSWORD_ENCODINGS)[number];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

function invalid(fn: string, field: string, value: unknown, expected: string): Error {
  return new Error(`${fn}: invalid ${field}: got ${JSON.stringify(value)}; expected ${expected}.`);
}

function checkName(fn: string, field: string, value: string, max = 63): void {
  if (Token.isUnresolved(value)) return;
  if (!DNS_LABEL.test(value) || value.length > max) {
    throw invalid(fn, field, value, `a DNS label of at most ${max} characters (a-z, 0-9, '-')`);
  }
}

export interface SyncSecretOptions {
  /** Construct id fragment, unique within the add-on. */
  readonly id: string;
  readonly namespace: string;
  /** Name of the Kubernetes Secret to produce. */
  readonly name: string;
  /** The Secrets Manager secret to read (e.g. `RdsDatabase.masterSecretArn`). */
  readonly secretArn: string;
  /** Key that encrypts the secret; the role may decrypt with it only through Secrets Manager. @default - none (AWS managed key) */
  readonly kmsKeyArn?: string;
  /**
   * Go templates (ESO template engine v2) of the Secret's keys, over the secret's JSON properties, e.g.
   * `{ "password": "{{ .password }}" }`. @default - every JSON property of the secret becomes a key
   */
  readonly template?: Readonly<Record<string, string>>;
  /** How often ESO re-reads the secret (RDS rotates the master password). @default "1h" */
  readonly refreshInterval?: string;
}

export interface SyncedSecret {
  readonly secretName: string;
  readonly serviceAccountName: string;
  readonly role: ServiceAccountRole;
  readonly secretStore: Manifest;
  readonly externalSecret: Manifest;
}

/** IAM policy: read exactly one secret, and decrypt it only through Secrets Manager. */
export function secretReadPolicy(
  scope: Construct,
  id: string,
  region: string,
  secretArn: string,
  kmsKeyArn?: string,
): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        sid: "ReadOneSecret",
        effect: "Allow",
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: [secretArn],
      },
      ...(kmsKeyArn
        ? [
            {
              sid: "DecryptViaSecretsManager",
              effect: "Allow",
              actions: ["kms:Decrypt"],
              resources: [kmsKeyArn],
              condition: [
                {
                  test: "StringEquals",
                  variable: "kms:ViaService",
                  values: [`secretsmanager.${region}.amazonaws.com`],
                },
              ],
            },
          ]
        : []),
    ],
  });
}

/**
 * Syncs one AWS Secrets Manager secret into a Kubernetes Secret: a service account with its own IRSA role that
 * may read only that secret, a namespaced SecretStore that authenticates as it, and an ExternalSecret. The
 * value never passes through Terraform; only the ARN does.
 */
export function syncSecret(context: AddOnContext, options: SyncSecretOptions): SyncedSecret {
  const fn = "syncSecret";
  checkName(fn, "namespace", options.namespace);
  checkName(fn, "name", options.name, 253 - "-reader".length);
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(options.id)) {
    throw invalid(fn, "id", options.id, "a construct id of letters, digits and '-', starting with a letter");
  }
  if (!Token.isUnresolved(options.secretArn) && !ARN.secretsManagerSecret.test(options.secretArn)) {
    throw invalid(fn, "secretArn", options.secretArn, "a Secrets Manager secret ARN");
  }
  for (const key of Object.keys(options.template ?? {})) {
    if (!SECRET_KEY.test(key)) throw invalid(fn, `template key`, key, "a Secret key of [-._a-zA-Z0-9]");
  }
  const scope = new Construct(context.scope, `Secret-${options.id}`);
  const serviceAccountName = `${options.name}-reader`.slice(0, 63).replace(/-+$/, "");
  const policy = secretReadPolicy(
    scope,
    "ReadPolicy",
    context.platform.region,
    options.secretArn,
    options.kmsKeyArn,
  );
  // ESO's jwt auth requests a token for this service account and assumes the role it is annotated with: IRSA.
  const role = context.cluster.serviceAccountRole(`${options.namespace}-${options.id}-secret-reader`, {
    namespace: options.namespace,
    serviceAccount: serviceAccountName,
    mode: "irsa",
    inlinePolicies: { "read-secret": policy.json },
  });
  new ServiceAccountV1(scope, "ServiceAccount", {
    provider: context.cluster.kubernetesProvider,
    metadata: {
      name: serviceAccountName,
      namespace: options.namespace,
      annotations: { "eks.amazonaws.com/role-arn": role.roleArn },
    },
    // Only ESO's controller uses it, through the TokenRequest API; no pod mounts it.
    automountServiceAccountToken: false,
  });
  const storeName = `${options.name}-store`;
  const secretStore = context.manifest(`SecretStore-${options.id}`, {
    apiVersion: EXTERNAL_SECRET_API,
    kind: "SecretStore",
    metadata: { name: storeName, namespace: options.namespace },
    spec: {
      provider: {
        aws: {
          service: "SecretsManager",
          region: context.platform.region,
          auth: { jwt: { serviceAccountRef: { name: serviceAccountName } } },
        },
      },
    },
  });
  const target: Record<string, unknown> = {
    name: options.name,
    creationPolicy: "Owner",
    deletionPolicy: "Retain",
  };
  if (options.template) {
    target.template = {
      engineVersion: "v2",
      mergePolicy: "Replace",
      type: "Opaque",
      data: { ...options.template },
    };
  }
  const externalSecret = context.manifest(`ExternalSecret-${options.id}`, {
    apiVersion: EXTERNAL_SECRET_API,
    kind: "ExternalSecret",
    metadata: { name: options.name, namespace: options.namespace },
    spec: {
      refreshInterval: options.refreshInterval ?? "1h",
      secretStoreRef: { name: storeName, kind: "SecretStore" },
      target,
      dataFrom: [{ extract: { key: options.secretArn } }],
    },
  });
  return { secretName: options.name, serviceAccountName, role, secretStore, externalSecret };
}

export interface GeneratedKey {
  /** Characters of the generated password (before encoding). */
  readonly length: number;
  /** @default "raw" */
  readonly encoding?: PasswordEncoding;
  /** Symbol characters in it; 0 keeps it safe for INI/URL/shell contexts. @default 0 */
  readonly symbols?: number;
}

export interface GeneratedSecretOptions {
  readonly id: string;
  readonly namespace: string;
  /** Name of the Kubernetes Secret to produce. */
  readonly name: string;
  /** Secret keys and how to generate each. */
  readonly keys: Readonly<Record<string, GeneratedKey>>;
  /**
   * Extra keys with fixed, non-secret values (ESO template engine v2), merged with the generated ones, e.g.
   * `{ username: "admin" }`. @default {}
   */
  readonly literals?: Readonly<Record<string, string>>;
  /**
   * Extra keys rendered by ESO's template engine v2 from the generated keys, e.g. a connection string
   * `{ connection: "postgresql://app:{{ .password }}@host:5432/app" }`. Merged with the generated keys. @default {}
   */
  readonly template?: Readonly<Record<string, string>>;
  /** Type of the produced Secret, e.g. `kubernetes.io/basic-auth` for consumers that require it. @default "Opaque" */
  readonly type?: string;
}

export interface GeneratedSecret {
  readonly secretName: string;
  readonly generators: readonly Manifest[];
  readonly externalSecret: Manifest;
}

/**
 * A Kubernetes Secret of random values generated in the cluster by ESO's Password generator, created once and
 * never rotated by ESO (`refreshPolicy: CreatedOnce`), so values such as Airflow's Fernet key stay stable and
 * never pass through Terraform. One generator per key (each emits `password`, renamed by `rewrite`).
 */
export function generatedSecret(context: AddOnContext, options: GeneratedSecretOptions): GeneratedSecret {
  const fn = "generatedSecret";
  checkName(fn, "namespace", options.namespace);
  checkName(fn, "name", options.name);
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(options.id)) {
    throw invalid(fn, "id", options.id, "a construct id of letters, digits and '-', starting with a letter");
  }
  const entries = Object.entries(options.keys);
  if (entries.length === 0) throw invalid(fn, "keys", options.keys, "at least one key");
  const generators: Manifest[] = [];
  const dataFrom: Record<string, unknown>[] = [];
  entries.forEach(([key, spec], i) => {
    if (!SECRET_KEY.test(key)) throw invalid(fn, `keys`, key, "Secret keys of [-._a-zA-Z0-9]");
    if (!Number.isInteger(spec.length) || spec.length < 16 || spec.length > 256) {
      throw invalid(fn, `keys.${key}.length`, spec.length, "an integer from 16 to 256");
    }
    const encoding = spec.encoding ?? "raw";
    if (!PASSWORD_ENCODINGS.includes(encoding)) {
      throw invalid(fn, `keys.${key}.encoding`, encoding, `one of ${PASSWORD_ENCODINGS.join(", ")}`);
    }
    const symbols = spec.symbols ?? 0;
    if (!Number.isInteger(symbols) || symbols < 0 || symbols > spec.length / 2) {
      throw invalid(
        fn,
        `keys.${key}.symbols`,
        symbols,
        `an integer from 0 to ${Math.floor(spec.length / 2)}`,
      );
    }
    const generatorName = `${options.name}-${i}`.slice(0, 63);
    generators.push(
      context.manifest(`Password-${options.id}-${i}`, {
        apiVersion: GENERATOR_API,
        kind: "Password",
        metadata: { name: generatorName, namespace: options.namespace },
        spec: {
          length: spec.length,
          digits: Math.floor(spec.length / 4),
          symbols,
          noUpper: false,
          allowRepeat: true,
          encoding,
        },
      }),
    );
    dataFrom.push({
      sourceRef: { generatorRef: { apiVersion: GENERATOR_API, kind: "Password", name: generatorName } },
      rewrite: [{ regexp: { source: "^password$", target: key } }],
    });
  });
  const target: Record<string, unknown> = {
    name: options.name,
    creationPolicy: "Owner",
    deletionPolicy: "Retain",
  };
  const literals = Object.entries(options.literals ?? {});
  for (const [key, value] of literals) {
    if (!SECRET_KEY.test(key) || key in options.keys) {
      throw invalid(fn, "literals", key, "Secret keys of [-._a-zA-Z0-9] that are not also generated keys");
    }
    if (/[{}]/.test(value)) throw invalid(fn, `literals.${key}`, value, "a plain value without '{' or '}'");
  }
  const templated = Object.entries(options.template ?? {});
  for (const [key] of templated) {
    if (!SECRET_KEY.test(key) || key in options.keys || key in (options.literals ?? {})) {
      throw invalid(
        fn,
        "template",
        key,
        "Secret keys of [-._a-zA-Z0-9] that are neither generated nor literal keys",
      );
    }
  }
  if (literals.length + templated.length > 0 || options.type) {
    target.template = {
      ...(options.type ? { type: options.type } : {}),
      engineVersion: "v2",
      mergePolicy: "Merge",
      data: Object.fromEntries([...literals, ...templated]),
    };
  }
  const externalSecret = context.manifest(`ExternalSecret-${options.id}`, {
    apiVersion: EXTERNAL_SECRET_API,
    kind: "ExternalSecret",
    metadata: { name: options.name, namespace: options.namespace },
    spec: { refreshPolicy: "CreatedOnce", target, dataFrom },
  });
  return { secretName: options.name, generators, externalSecret };
}
