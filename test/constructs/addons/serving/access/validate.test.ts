import { describe, expect, it } from "vitest";
import { accessError, LAKE } from "./support";

describe("servingAccess: bad input fails at synth, naming the field, the value and what was expected", () => {
  it("fails when a models prefix is empty, a wildcard or absolute (the whole bucket is never granted)", () => {
    const message = accessError({ options: (o) => ({ ...o, modelPrefixes: ["", "models/*", "/abs"] }) });
    expect(message).toContain('servingAccess.modelPrefixes[0]: got ""; expected a non-empty key prefix');
    expect(message).toContain('servingAccess.modelPrefixes[1]: got "models/*"');
    expect(message).toContain('servingAccess.modelPrefixes[2]: got "/abs"');
  });

  it("fails when no models prefix is given, or one twice", () => {
    expect(accessError({ options: (o) => ({ ...o, modelPrefixes: [] }) })).toMatch(
      /servingAccess\.modelPrefixes: got \[\]; expected at least one key prefix/,
    );
    expect(accessError({ options: (o) => ({ ...o, modelPrefixes: ["a/", "a/"] }) })).toMatch(
      /modelPrefixes: got \["a\/","a\/"\]; expected each prefix once/,
    );
  });

  it("fails when the data lake has no models zone, naming the zones it has", () => {
    const { models: _, ...buckets } = LAKE.buckets;
    expect(accessError({ dataLake: { ...LAKE, buckets } })).toMatch(
      /modelPrefixes: .*expected a data lake with a "models" zone \(zones: raw, curated, features\)/,
    );
    expect(accessError({ dataLake: null })).toMatch(/\(zones: no data lake\)/);
  });

  it("fails when the principal is not in addons.kafka.access, naming the principals", () => {
    expect(accessError({ kafka: {}, options: (o) => ({ ...o, kafkaPrincipal: "scorer" }) })).toContain(
      'servingAccess.kafkaPrincipal: got "scorer"; expected a principal of addons.kafka.access (principals: inference-service)',
    );
  });

  it("fails when the principal's topics do not cover what the service writes and reads", () => {
    const message = accessError({
      kafka: { access: { scorer: { topics: { predictions: "write", outcomes: "write" } } } },
      options: (o) => ({ ...o, kafkaPrincipal: "scorer" }),
    });
    expect(message).toContain(
      "addons.kafka.access.scorer.topics to grant predictions: write, drift: write and outcomes: read",
    );
    expect(message).toContain("(missing: drift, outcomes)");
  });

  it("fails when the principal's group prefixes do not cover the service's consumer group", () => {
    const message = accessError({
      kafka: {
        mode: "msk",
        access: {
          scorer: {
            topics: { predictions: "write", drift: "write", outcomes: "read" },
            groupPrefixes: ["other-"],
          },
        },
      },
      options: (o) => ({ ...o, kafkaPrincipal: "scorer" }),
    });
    expect(message).toContain(
      'addons.kafka.access.scorer.groupPrefixes to cover the service\'s consumer group "scorer-outcomes" (prefixes: other-)',
    );
  });

  it("fails when Strimzi credentials are needed but the external-secrets add-on is off", () => {
    expect(accessError({ kafka: {}, externalSecrets: false })).toContain(
      'servingAccess.kafka: got "strimzi"; expected the external-secrets add-on (addons.externalSecrets.enabled: true)',
    );
  });

  it("fails when the pod selector is empty (the policies would select every pod) or a port is out of range", () => {
    const message = accessError({
      options: (o) => ({
        ...o,
        pods: { matchLabels: {}, labelKeys: [] },
        inferencePorts: [0],
        metricsPorts: [70000],
      }),
    });
    expect(message).toContain(
      'servingAccess.pods: got {"matchLabels":{},"labelKeys":[]}; expected at least one label or label key',
    );
    expect(message).toContain("servingAccess.inferencePorts: got [0]; expected one or more TCP ports");
    expect(message).toContain("servingAccess.metricsPorts: got [70000]; expected one or more TCP ports");
  });

  it("fails when a cluster range is not a CIDR or is every address, and names the caller's path", () => {
    const message = accessError({
      options: (o) => ({ ...o, path: "addons.serving", clusterCidrs: ["10.0.0.0/33", "0.0.0.0/0"] }),
    });
    expect(message).toMatch(/^Invalid addons\.serving:/);
    expect(message).toContain('addons.serving.clusterCidrs[0]: got "10.0.0.0/33"; expected an IPv4 CIDR');
    expect(message).toContain(
      'addons.serving.clusterCidrs[1]: got "0.0.0.0/0"; expected the cluster\'s ranges',
    );
  });

  it("fails when the id, the service account, a label key, a source namespace, the role mode or fsGroup is invalid", () => {
    const message = accessError({
      options: (o) => ({
        ...o,
        id: "serving-access",
        pods: { labelKeys: ["mlops.io/"] },
        serviceAccountName: "Model_Server",
        ingressFrom: [{ namespace: "Gateway" }],
        roleMode: "static-keys" as never,
        fsGroup: 0,
      }),
    });
    expect(message).toContain('servingAccess.id: got "serving-access"; expected a construct id');
    expect(message).toContain('servingAccess.pods: got "mlops.io/"; expected label keys');
    expect(message).toContain('servingAccess.serviceAccountName: got "Model_Server"');
    expect(message).toContain('servingAccess.ingressFrom[0].namespace: got "Gateway"');
    expect(message).toContain('servingAccess.roleMode: got "static-keys"; expected "pod-identity" or "irsa"');
    expect(message).toContain("servingAccess.fsGroup: got 0; expected a non-root group id");
  });
});
