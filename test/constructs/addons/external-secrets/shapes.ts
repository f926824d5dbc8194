import { Ajv } from "ajv";

/**
 * Closed JSON schemas of the External Secrets resources the kit writes. The reference schema data has no ESO
 * CRDs, so these were written by hand from the upstream CRDs (external-secrets/external-secrets
 * config/crds/bases: external-secrets.io_externalsecrets.yaml, _secretstores.yaml,
 * generators.external-secrets.io_passwords.yaml, and docs/api/generator/password.md) and cover only the
 * fields the kit sets, each with its type/enum. `additionalProperties: false` throughout: a misspelt field
 * fails, as the API server would prune it. They are a narrower check than a real CRD schema.
 */
type Schema = Record<string, unknown>;
const closed = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});
const str: Schema = { type: "string", minLength: 1 };
const metadata = closed({ name: str, namespace: str }, ["name", "namespace"]);
const DURATION = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";

export const ESO_SHAPES: Record<string, Schema> = {
  "external-secrets.io/v1/SecretStore": closed(
    {
      apiVersion: { const: "external-secrets.io/v1" },
      kind: { const: "SecretStore" },
      metadata,
      spec: closed(
        {
          provider: closed(
            {
              aws: closed(
                {
                  service: { enum: ["SecretsManager", "ParameterStore"] },
                  region: str,
                  auth: closed(
                    {
                      jwt: closed({ serviceAccountRef: closed({ name: str }, ["name"]) }, [
                        "serviceAccountRef",
                      ]),
                    },
                    ["jwt"],
                  ),
                },
                ["service", "region", "auth"],
              ),
            },
            ["aws"],
          ),
        },
        ["provider"],
      ),
    },
    ["apiVersion", "kind", "metadata", "spec"],
  ),
  "external-secrets.io/v1/ExternalSecret": closed(
    {
      apiVersion: { const: "external-secrets.io/v1" },
      kind: { const: "ExternalSecret" },
      metadata,
      spec: closed(
        {
          refreshInterval: { type: "string", pattern: DURATION },
          refreshPolicy: { enum: ["CreatedOnce", "Periodic", "OnChange"] },
          secretStoreRef: closed({ name: str, kind: { enum: ["SecretStore", "ClusterSecretStore"] } }, [
            "name",
          ]),
          target: closed(
            {
              name: str,
              creationPolicy: { enum: ["Owner", "Orphan", "Merge", "None"] },
              deletionPolicy: { enum: ["Delete", "Merge", "Retain"] },
              template: closed({
                engineVersion: { enum: ["v2"] },
                mergePolicy: { enum: ["Replace", "Merge"] },
                type: str,
                data: { type: "object", additionalProperties: { type: "string" } },
              }),
            },
            ["name"],
          ),
          dataFrom: {
            type: "array",
            minItems: 1,
            items: closed({
              extract: closed({ key: str }, ["key"]),
              sourceRef: closed(
                {
                  generatorRef: closed(
                    {
                      apiVersion: { const: "generators.external-secrets.io/v1alpha1" },
                      kind: { enum: ["Password"] },
                      name: str,
                    },
                    ["kind", "name"],
                  ),
                },
                ["generatorRef"],
              ),
              rewrite: {
                type: "array",
                items: closed({ regexp: closed({ source: str, target: str }, ["source", "target"]) }, [
                  "regexp",
                ]),
              },
            }),
          },
        },
        ["target", "dataFrom"],
      ),
    },
    ["apiVersion", "kind", "metadata", "spec"],
  ),
  "generators.external-secrets.io/v1alpha1/Password": closed(
    {
      apiVersion: { const: "generators.external-secrets.io/v1alpha1" },
      kind: { const: "Password" },
      metadata,
      spec: closed(
        {
          length: { type: "integer", minimum: 1 },
          digits: { type: "integer", minimum: 0 },
          symbols: { type: "integer", minimum: 0 },
          noUpper: { type: "boolean" },
          allowRepeat: { type: "boolean" },
          encoding: { enum: ["raw", "base64", "base64url", "base32", "hex"] },
        },
        // The CRD requires these three (they have defaults, but the kit sets them explicitly).
        ["length", "noUpper", "allowRepeat"],
      ),
    },
    ["apiVersion", "kind", "metadata", "spec"],
  ),
};

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = Object.fromEntries(Object.entries(ESO_SHAPES).map(([k, s]) => [k, ajv.compile(s)]));

/** Shape errors of one ESO resource (`path: message`), or a single error when the kind is not covered. */
export function esoShapeErrors(manifest: Record<string, unknown>): string[] {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const validate = compiled[key];
  if (!validate) return [`no hand-written shape for ${key}`];
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || "(root)"}: ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
  );
}

export const ESO_GROUPS = ["external-secrets.io", "generators.external-secrets.io"];
