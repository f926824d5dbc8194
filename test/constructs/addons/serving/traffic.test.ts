import { describe, expect, it } from "vitest";
import type { Json } from "../../../support/manifests";
import { byName, envOf, predictorContainer, S3_VERSION, servingWith, synthServing } from "./support";

/**
 * Each traffic step is one configuration change; these tests read the objects that change synthesizes. KServe:
 * InferenceServices per version and the HTTPRoute's weights and mirror. Seldon: Models per version and the
 * Experiment's candidates and mirror.
 */

const CANARY = { canary: { version: "3", weight: 10 } };
const SHADOW = { shadow: { version: "3" } };

function kserve(traffic: Record<string, unknown>) {
  const { json } = synthServing(servingWith(traffic));
  const isvcs = byName(json, "InferenceService");
  const route = byName(json, "HTTPRoute").readmission as Json;
  const rule = route.spec.rules[0] as Json;
  const weights = Object.fromEntries((rule.backendRefs as Json[]).map((b) => [b.name, b.weight]));
  return { json, isvcs, route, rule, weights };
}

const SELDON_CANARY = { canary: { uri: S3_VERSION(3), weight: 10 } };
const SELDON_SHADOW = { shadow: { uri: S3_VERSION(3) } };

function seldon(traffic: Record<string, unknown>) {
  const { json } = synthServing(servingWith(traffic, { engine: "seldon" }));
  return {
    json,
    models: byName(json, "Model"),
    servers: byName(json, "Server"),
    experiment: byName(json, "Experiment").readmission,
  };
}

describe("KServe engine: traffic through the Gateway API HTTPRoute", () => {
  it("stable: one InferenceService following the champion alias; the route sends every request of the model to it", () => {
    const { isvcs, route, rule, weights } = kserve({});
    expect(Object.keys(isvcs)).toEqual(["readmission"]);
    expect(envOf(predictorContainer(isvcs.readmission as Json)).MODEL_SOURCES).toBe(
      "readmission=models:/readmission@champion",
    );
    expect(rule.matches).toEqual([{ path: { type: "PathPrefix", value: "/v2/models/readmission" } }]);
    expect(weights).toEqual({ "readmission-predictor": 100 });
    expect(rule.filters).toBeUndefined();
    expect(route.spec.parentRefs).toEqual([{ name: "serving", sectionName: "http" }]);
    expect(route.metadata.labels["mlops.io/serving-phase"]).toBe("stable");
  });

  it("canary 10 %: the candidate version runs as its own InferenceService and answers 10 of 100 requests", () => {
    const { isvcs, weights, rule } = kserve(CANARY);
    expect(Object.keys(isvcs).sort()).toEqual(["readmission", "readmission-candidate"]);
    const candidate = isvcs["readmission-candidate"] as Json;
    // The candidate serves the pinned version under the same model name, so clients see one model.
    expect(envOf(predictorContainer(candidate)).MODEL_SOURCES).toBe("readmission=models:/readmission/3");
    expect(candidate.spec.predictor.minReplicas).toBe(1);
    expect(weights).toEqual({ "readmission-predictor": 90, "readmission-candidate-predictor": 10 });
    expect(rule.filters).toBeUndefined();
  });

  it("shadow: every request answered by the stable version and mirrored to the candidate, whose answers are discarded", () => {
    const { weights, rule } = kserve(SHADOW);
    expect(weights).toEqual({ "readmission-predictor": 100, "readmission-candidate-predictor": 0 });
    expect(rule.filters).toEqual([
      {
        type: "RequestMirror",
        requestMirror: {
          backendRef: { group: "", kind: "Service", name: "readmission-candidate-predictor", port: 80 },
        },
      },
    ]);
  });

  it("promote: all traffic to the candidate at the stable's replica bounds; the stable stays deployed at weight 0", () => {
    const { isvcs, weights, rule } = kserve({ ...CANARY, promote: true });
    expect(weights).toEqual({ "readmission-predictor": 0, "readmission-candidate-predictor": 100 });
    expect(rule.filters).toBeUndefined();
    expect((isvcs["readmission-candidate"] as Json).spec.predictor.minReplicas).toBe(2);
    expect(Object.keys(isvcs)).toContain("readmission");
  });

  it("rollback: all traffic back to the stable version, no mirror; the candidate stays for diagnosis", () => {
    for (const from of [CANARY, SHADOW]) {
      const { isvcs, weights, rule } = kserve({ ...from, rollback: true });
      expect(weights).toEqual({ "readmission-predictor": 100, "readmission-candidate-predictor": 0 });
      expect(rule.filters).toBeUndefined();
      expect(Object.keys(isvcs).sort()).toEqual(["readmission", "readmission-candidate"]);
    }
  });

  it("a candidate by alias follows that alias (challenger); an S3 model's candidate is another S3 prefix", () => {
    const { isvcs } = kserve({ canary: { alias: "challenger", weight: 50 } });
    expect(envOf(predictorContainer(isvcs["readmission-candidate"] as Json)).MODEL_SOURCES).toBe(
      "readmission=models:/readmission@challenger",
    );
    const { json } = synthServing(
      servingWith(
        { shadow: { uri: "s3://lake-models/next" } },
        {},
        { model: { uri: "s3://lake-models/live" } },
      ),
    );
    const s3 = byName(json, "InferenceService");
    expect(envOf(predictorContainer(s3.readmission as Json))).toMatchObject({
      MODEL_SOURCES: "readmission=s3://lake-models/live",
    });
    expect(envOf(predictorContainer(s3.readmission as Json)).MLFLOW_TRACKING_URI).toBeUndefined();
    expect(envOf(predictorContainer(s3["readmission-candidate"] as Json)).MODEL_SOURCES).toBe(
      "readmission=s3://lake-models/next",
    );
  });
});

describe("Seldon engine: traffic through an Experiment on the model's name", () => {
  it("stable: one Model on its own Server, no Experiment", () => {
    const { models, servers, experiment } = seldon({});
    expect(Object.keys(models)).toEqual(["readmission"]);
    expect((models.readmission as Json).spec).toMatchObject({
      storageUri: S3_VERSION(2),
      server: "readmission",
      requirements: ["inference-service"],
    });
    expect(Object.keys(servers)).toEqual(["readmission"]);
    expect(experiment).toBeUndefined();
  });

  it("canary 10 %: candidate Model on the candidate Server, Experiment weights 90/10 on the model's name", () => {
    const { models, experiment } = seldon(SELDON_CANARY);
    expect((models["readmission-candidate"] as Json).spec).toMatchObject({
      storageUri: S3_VERSION(3),
      server: "readmission-candidate",
    });
    expect(experiment?.spec).toEqual({
      default: "readmission",
      candidates: [
        { name: "readmission", weight: 90 },
        { name: "readmission-candidate", weight: 10 },
      ],
    });
  });

  it("shadow: every request to the stable Model, mirrored 100 % to the candidate", () => {
    const { experiment } = seldon(SELDON_SHADOW);
    expect(experiment?.spec).toEqual({
      default: "readmission",
      candidates: [{ name: "readmission", weight: 100 }],
      mirror: { name: "readmission-candidate", percent: 100 },
    });
  });

  it("promote: the candidate answers everything; rollback: no Experiment, the stable Model alone answers", () => {
    expect(seldon({ ...SELDON_CANARY, promote: true }).experiment?.spec.candidates).toEqual([
      { name: "readmission-candidate", weight: 100 },
    ]);
    const back = seldon({ ...SELDON_SHADOW, rollback: true });
    expect(back.experiment).toBeUndefined();
    expect(Object.keys(back.models).sort()).toEqual(["readmission", "readmission-candidate"]);
  });
});
