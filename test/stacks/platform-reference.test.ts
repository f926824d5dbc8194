import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT, parsePlatformConfig } from "../../config";
import { FOUNDATION_OUTPUTS, PLATFORM_OUTPUTS } from "../../stacks/output-names";
import { PlatformReference } from "../../stacks/platform-reference";
import { synthPlatform } from "../support/platform";
import type { SynthJson } from "../support/synth";

/** The default platform with every optional foundation output switched on, its state in S3. */
const DOC = {
  ...EMBEDDED_DEFAULT,
  environment: "prod",
  stateBackend: {
    type: "s3",
    bucket: "acme-terraform-state",
    keyPrefix: "platforms",
    region: "eu-central-1",
  },
  dataLake: { requestMetrics: { enabled: true } },
  registry: { githubOidc: { enabled: true, repository: "acme/models" } },
};

/** A separate app's stack that reads the platform through `use`; returns its JSON. */
function consumer(doc: unknown, use: (ref: PlatformReference) => Record<string, string>): SynthJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, "team-app");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const ref = PlatformReference.fromConfig(stack, "Platform", parsePlatformConfig(doc, "test"));
  for (const [name, value] of Object.entries(use(ref))) new TerraformOutput(stack, name, { value });
  return JSON.parse(Testing.synth(stack)) as SynthJson;
}

const everything = (ref: PlatformReference): Record<string, string> => ({
  cluster_name: ref.clusterName,
  cluster_endpoint: ref.clusterEndpoint,
  oidc: ref.clusterOidcProviderArn,
  kubeconfig: ref.updateKubeconfigCommand,
  vpc: ref.vpcId,
  raw: ref.dataLakeBucket("raw"),
  alarms: ref.dataLakeAlarmTopicArn,
  image: ref.ecrRepositoryUrl("inference-service"),
  image_arn: ref.ecrRepositoryArn("inference-service"),
  push_role: ref.ecrPushRoleArn,
  kafka: ref.kafkaBootstrapServers,
  mlflow: ref.mlflowUrl,
  mlflow_role: ref.serviceAccountRoleArn("mlflow", "mlflow", "mlflow"),
});

type RemoteState = Record<string, { backend: string; config: Record<string, unknown> }>;
const remoteStates = (json: SynthJson) => (json.data?.terraform_remote_state ?? {}) as unknown as RemoteState;
const outputValues = (json: SynthJson) =>
  Object.fromEntries(Object.entries(json.output ?? {}).map(([k, v]) => [k, (v as { value: string }).value]));
const declared = (json: SynthJson) =>
  Object.keys(json.output ?? {}).filter((name) => !name.startsWith("cross-stack-output-"));

describe("PlatformReference (a separate app reading an applied platform)", () => {
  const platform = synthPlatform(DOC);
  const json = consumer(DOC, everything);
  const states = remoteStates(json);
  const stateId = (stack: "foundation" | "platform") =>
    Object.keys(states).find((id) =>
      id.startsWith(stack === "foundation" ? "Platform_FoundationState_" : "Platform_PlatformState_"),
    );

  it("reads the foundation's and the platform stack's state where their S3 backends write it", () => {
    const backend = (stack: SynthJson) =>
      (stack.terraform as { backend: { s3: Record<string, unknown> } }).backend.s3;
    const f = states[stateId("foundation") as string];
    const p = states[stateId("platform") as string];
    expect(f?.backend).toBe("s3");
    expect(p?.backend).toBe("s3");
    for (const [state, stack] of [
      [f, platform.foundation],
      [p, platform.platform],
    ] as const) {
      const written = backend(stack);
      expect(state?.config).toEqual({ bucket: written.bucket, key: written.key, region: written.region });
    }
    expect(f?.config.key).toBe("platforms/mlops-prod-foundation.tfstate");
  });

  it("reads only outputs the stacks declare, and the constants list every output they declare", () => {
    expect(new Set(declared(platform.foundation))).toEqual(new Set(Object.values(FOUNDATION_OUTPUTS)));
    expect(new Set(declared(platform.platform))).toEqual(new Set(Object.values(PLATFORM_OUTPUTS)));
    const read = new Map<string, Set<string>>();
    for (const value of Object.values(outputValues(json))) {
      for (const m of value.matchAll(/data\.terraform_remote_state\.([^.]+)\.outputs\.([a-z_]+)/g)) {
        const [, id, output] = m as unknown as [string, string, string];
        if (!read.has(id)) read.set(id, new Set());
        read.get(id)?.add(output);
      }
    }
    expect([...(read.get(stateId("foundation") as string) ?? [])].sort()).toEqual(
      Object.values(FOUNDATION_OUTPUTS).sort(),
    );
    expect([...(read.get(stateId("platform") as string) ?? [])].sort()).toEqual(
      Object.values(PLATFORM_OUTPUTS).sort(),
    );
  });

  it("looks keyed values up by key, so a missing zone, repository or role fails the plan", () => {
    const values = outputValues(json);
    const f = stateId("foundation");
    const p = stateId("platform");
    expect(values.raw).toBe(`\${data.terraform_remote_state.${f}.outputs.data_lake_buckets.raw}`);
    expect(values.image).toBe(
      `\${data.terraform_remote_state.${f}.outputs.ecr_repository_urls["inference-service"]}`,
    );
    expect(values.mlflow_role).toBe(
      `\${data.terraform_remote_state.${p}.outputs.service_account_role_arns.mlflow["mlflow/mlflow"]}`,
    );
    // The key the platform writes for that role exists.
    const roles = outputValues(platform.platform).service_account_role_arns as unknown as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys(roles.mlflow ?? {})).toContain("mlflow/mlflow");
  });

  it("reads the platform stack's state only when a platform output is used", () => {
    const foundationOnly = consumer(DOC, (ref) => ({ cluster: ref.clusterName }));
    expect(Object.keys(remoteStates(foundationOnly))).toHaveLength(1);
  });

  it("reads local state from the file the foundation's local backend writes", () => {
    const local = { ...EMBEDDED_DEFAULT, stateBackend: { path: "state/{stack}.tfstate" } };
    const written = synthPlatform(local).foundation.terraform as { backend: { local: { path: string } } };
    const [state] = Object.values(remoteStates(consumer(local, (ref) => ({ vpc: ref.vpcId }))));
    expect(state).toEqual({ backend: "local", config: { path: written.backend.local.path } });
    expect(state?.config.path).toBe("../../../state/mlops-dev-foundation.tfstate");
  });

  it("fails when an S3 backend has no bucket, naming the setting", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "team-app");
    expect(
      () =>
        new PlatformReference(stack, "Platform", {
          name: "acme",
          environment: "prod",
          region: "eu-west-1",
          stateBackend: { type: "s3" },
        }),
    ).toThrow("stateBackend.bucket: got nothing; expected the S3 bucket for acme-prod-foundation's state");
  });
});
