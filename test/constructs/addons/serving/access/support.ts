import { Construct } from "constructs";
import { expect } from "vitest";
import { type KafkaConfigInput, type KafkaOutputs, kafkaAddOn } from "../../../../../constructs/addons/kafka";
import {
  type ServingAccess,
  type ServingAccessOptions,
  servingAccess,
} from "../../../../../constructs/addons/serving/access";
import {
  type AddOn,
  type AddOnContext,
  type DataLakeRef,
  deployAddOns,
} from "../../../../../constructs/core";
import { PlatformNamespace } from "../../../../../constructs/core/platform-namespace";
import { dataLakeStatements } from "../../../../../constructs/data-lake/grants";
import { externalSecretsStub, monitoringStub } from "../../../../support/addons";
import { baseAddOnContext, TEST_DATA_LAKE } from "../../../../support/cluster";
import { all, type Json } from "../../../../support/manifests";
import { dataOf, type SynthJson, synthScope } from "../../../../support/synth";

export { type Json, manifestNamed, manifests, named } from "../../../../support/manifests";

/** The test lake with the real DataLake's statements (prefix-limited ListBucket, KMS only through S3). */
export const LAKE: DataLakeRef = {
  ...TEST_DATA_LAKE,
  policyStatements: (access, zone = "raw", prefix = "") =>
    dataLakeStatements({
      access,
      bucketArns: [TEST_DATA_LAKE.buckets[zone].bucketArn],
      kmsKeyArn: TEST_DATA_LAKE.kmsKeyArn,
      s3ServiceEndpoint: "s3.eu-west-1.amazonaws.com",
      prefix: prefix.endsWith("/") || prefix === "" ? prefix : `${prefix}/`,
    }),
};

export const SERVING_POD_LABELS = { "app.kubernetes.io/name": "model-server" };

/** Options as the serving add-on would pass them, minus what the test varies. */
export function baseOptions(namespace: PlatformNamespace): ServingAccessOptions {
  return {
    namespace,
    pods: { matchLabels: SERVING_POD_LABELS },
    modelPrefixes: ["mlflow/"],
    inferencePorts: [8080],
    metricsPorts: [8080],
    ingressFrom: [{ namespace: "envoy-gateway-system" }],
  };
}

export interface AccessSynth {
  readonly json: SynthJson;
  readonly access: ServingAccess;
  readonly kafka?: KafkaOutputs;
}

export interface AccessSynthOptions {
  /** `addons.kafka`; undefined: no Kafka add-on. */
  readonly kafka?: KafkaConfigInput;
  readonly externalSecrets?: boolean;
  readonly monitoring?: boolean;
  readonly mlflow?: boolean;
  readonly dataLake?: DataLakeRef | null;
  readonly options?: (o: ServingAccessOptions) => ServingAccessOptions;
}

/** Deploys Kafka (optional), stubs of ESO/monitoring/MLflow and a "serving" add-on that calls `servingAccess`. */
export function synthAccess(s: AccessSynthOptions = {}): AccessSynth {
  let access: ServingAccess | undefined;
  let kafka: KafkaOutputs | undefined;
  const json = synthScope((scope) => {
    const base = baseAddOnContext(scope);
    const context = { ...base, dataLake: s.dataLake === null ? undefined : (s.dataLake ?? LAKE) };
    const stub = (id: string): AddOn<unknown> => ({ id, deploy: () => ({}) });
    const addOns: AddOn<unknown>[] = [];
    if (s.kafka) addOns.push(kafkaAddOn(s.kafka));
    if (s.externalSecrets ?? true) addOns.push(externalSecretsStub);
    if (s.monitoring ?? true) addOns.push(monitoringStub);
    if (s.mlflow ?? true) addOns.push(stub("mlflow"));
    const dependsOn = s.kafka ? ["kafka"] : [];
    addOns.push({
      id: "serving",
      dependsOn,
      deploy: (c: AddOnContext) => {
        const namespace = new PlatformNamespace(c.scope, "Namespace", {
          name: "serving",
          provider: c.cluster.kubernetesProvider,
        });
        kafka = s.kafka ? c.outputsOf<KafkaOutputs>("kafka") : undefined;
        const options = { ...baseOptions(namespace), kafka };
        access = servingAccess(c, s.options ? s.options(options) : options);
        return access;
      },
    });
    deployAddOns(new Construct(scope, "AddOns"), context, addOns);
  });
  return { json, access: access as ServingAccess, kafka };
}

/** The error `synthAccess` throws, as text (fails the test when it does not throw). */
export function accessError(s: AccessSynthOptions): string {
  try {
    synthAccess(s);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected servingAccess to throw");
}

/** The statements of the role's inline policy `serving-access`, from its aws_iam_policy_document. */
export function accessStatements(json: SynthJson): Json[] {
  const policies = all(json, "aws_iam_role_policy").filter((p) => p.name === "serving-access");
  expect(policies).toHaveLength(1);
  const ref = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policies[0].policy as string);
  expect(ref).not.toBeNull();
  const document = dataOf(json, "aws_iam_policy_document")[(ref as RegExpExecArray)[1]] as Json;
  return document.statement as Json[];
}

export const envOf = (a: ServingAccess) => Object.fromEntries(a.env.map((e) => [e.name, e.value]));

/** Every `*_FILE` variable names a file that a mounted Secret volume item provides. */
export function expectFilesMounted(a: ServingAccess): void {
  const files = a.env.filter((e) => e.name.endsWith("_FILE")).map((e) => e.value);
  const provided = a.volumeMounts.flatMap((m) => {
    const volume = a.volumes.find((v) => v.name === m.name);
    return (volume?.secret.items ?? []).map((i) => `${m.mountPath}/${i.path}`);
  });
  expect(files.length).toBeGreaterThan(0);
  expect(provided.sort()).toEqual([...files].sort());
  for (const m of a.volumeMounts) expect(m.readOnly).toBe(true);
}

/** The NetworkPolicies of the serving namespace, by name. */
export function servingPolicies(json: SynthJson): Record<string, Json> {
  return Object.fromEntries(
    all(json, "kubernetes_network_policy_v1")
      .filter((p) => /AddOns_serving_Namespace/.test(String(p.metadata.namespace)))
      .map((p) => [p.metadata.name as string, p.spec as Json]),
  );
}
