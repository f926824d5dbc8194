/**
 * The inference rules' promtool cases speak the service's real label names: every input series of
 * cases/inference.ts carries only labels the service's own metric definitions declare for that family (built
 * here on one Registry exactly as the service builds them), plus the target labels Prometheus and the serving
 * monitor add. promtool compares each alert's labels exactly, so a rule grouping by a label the service renamed
 * fails there, and a case written with the old name fails here. Then the same cases without the serving
 * monitor's `deployment`/`track` labels: the rules must still fire and stay quiet (monitoring without the serving
 * add-on, the service scraped some other way).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SERVING_TARGET_LABELS } from "../../../../../constructs/addons/monitoring";
import {
  INFERENCE_FEEDBACK_FAMILIES,
  INFERENCE_SERVICE_FAMILIES,
  PREDICTION_DRIFT_FEATURE,
  platformRuleGroups,
} from "../../../../../constructs/addons/monitoring/rules";
import { driftMetrics } from "../../../../../service/src/drift/metrics";
import { PREDICTION_FEATURE } from "../../../../../service/src/drift/window";
import { LiveMetrics } from "../../../../../service/src/feedback/live-metrics";
import { createFeedbackMetrics } from "../../../../../service/src/feedback/metrics";
import { createMetrics } from "../../../../../service/src/inference/metrics";
import { createHttpMetrics, createRegistry } from "../../../../../service/src/metrics";
import { describeWithPromtool, promtool } from "../../../../support/promtool";
import { RULE_CASES, type RuleCases, type Series } from "./cases";

const INFERENCE_CASES = RULE_CASES.inference;

import { rulesFile, testFile } from "./render";

/** Labels Prometheus adds to every scraped series (the operator's target labels) and the serving monitor's. */
const TARGET_LABELS = [
  "namespace",
  "pod",
  "container",
  "job",
  "instance",
  "endpoint",
  ...Object.values(SERVING_TARGET_LABELS),
];

/** Family name → the label names the service declares for it. */
function serviceLabels(): Map<string, readonly string[]> {
  const registry = createRegistry();
  createHttpMetrics(registry);
  createMetrics(registry);
  driftMetrics(registry);
  createFeedbackMetrics(registry, ["predictions"], 10, new LiveMetrics(10), () => 0);
  const out = new Map<string, readonly string[]>();
  for (const m of registry.getMetricsAsArray() as unknown as { name: string; labelNames?: string[] }[])
    out.set(m.name, m.labelNames ?? []);
  return out;
}

function parseSeries({ series }: Series): { name: string; labels: string[] } {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$/.exec(series);
  if (!m?.[1]) throw new Error(`unparsable series ${series}`);
  return {
    name: m[1],
    labels: [...(m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((l) => l[1] as string),
  };
}

/** Per case series, the labels the service does not declare for its family (or a family it does not have). */
function labelProblems(cases: RuleCases, declared: Map<string, readonly string[]>): string[] {
  const histograms = new Set(
    [...INFERENCE_SERVICE_FAMILIES, ...INFERENCE_FEEDBACK_FAMILIES]
      .filter(([, t]) => t === "histogram")
      .map(([n]) => n),
  );
  return Object.entries(cases).flatMap(([alert, { fires, quiet }]) =>
    [...fires.series, ...quiet.series].flatMap((s) => {
      const { name, labels } = parseSeries(s);
      if (name === "up") return [];
      const bucket = name.endsWith("_bucket") && histograms.has(name.slice(0, -"_bucket".length));
      const family = bucket ? name.slice(0, -"_bucket".length) : name;
      const known = declared.get(family);
      if (known === undefined) return [`${alert}: ${name} is not a metric of the service`];
      const allowed = new Set([...known, ...TARGET_LABELS, ...(bucket ? ["le"] : [])]);
      return labels.filter((l) => !allowed.has(l)).map((l) => `${alert}: ${name} has no label ${l}`);
    }),
  );
}

describe("inference rule cases against the service's metric definitions", () => {
  const declared = serviceLabels();

  it("use only the labels the service declares per family, plus the target labels", () => {
    expect(declared.get("inference_requests_total")).toEqual(["model", "version", "code"]);
    expect(labelProblems(INFERENCE_CASES, declared)).toEqual([]);
  });

  it("fails when a case uses a label or a metric the service does not have", () => {
    const bad: RuleCases = {
      X: {
        fires: {
          series: [{ series: 'inference_requests_total{status_code="503"}', values: "1" }],
          at: "1m",
          labels: {},
        },
        quiet: { series: [{ series: 'inference_errors_total{model="m"}', values: "1" }], at: "1m" },
      },
    };
    expect(labelProblems(bad, declared)).toEqual([
      "X: inference_requests_total has no label status_code",
      "X: inference_errors_total is not a metric of the service",
    ]);
  });

  it("name prediction drift by the drift monitor's own feature name", () => {
    expect(PREDICTION_DRIFT_FEATURE).toBe(PREDICTION_FEATURE);
  });
});

/** Alerts about a track only the serving monitor names: scraped without it they cannot fire. */
const TRACK_ONLY = ["InferenceShadowHigh5xxRatio"];

/**
 * The cases as a series scraped without the serving monitor: no deployment or track label anywhere. A
 * track-only alert keeps its labelled firing input, and its firing input without the labels becomes the quiet one.
 */
function withoutServingLabels(cases: RuleCases): RuleCases {
  const drop = (selector: string) =>
    selector.replace(/,?\b(deployment|track)="[^"]*"/g, "").replace("{,", "{");
  const strip = (s: readonly Series[]) => s.map((x) => ({ ...x, series: drop(x.series) }));
  // Without the serving monitor there is no shadow track: a shadow's series are not there at all.
  const plain = (s: readonly Series[]) => strip(s.filter((x) => !x.series.includes('track="shadow"')));
  return Object.fromEntries(
    Object.entries(cases).map(([alert, { fires, quiet }]) => {
      // It still fires on the labelled input, and stays quiet on the same input without the labels.
      if (TRACK_ONLY.includes(alert))
        return [alert, { fires, quiet: { series: strip(fires.series), at: fires.at } }];
      const { deployment: _d, track: _t, ...labels } = fires.labels;
      return [
        alert,
        {
          fires: { ...fires, series: plain(fires.series), labels },
          quiet: { ...quiet, series: plain(quiet.series) },
        },
      ];
    }),
  );
}

describeWithPromtool("inference rules without the serving add-on's target labels", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "inference-rules-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const groups = platformRuleGroups().inference;

  it("fire and stay quiet as with them (grouped by namespace and model)", () => {
    const cases = withoutServingLabels(INFERENCE_CASES);
    const { [TRACK_ONLY[0] as string]: trackOnly, ...plain } = cases;
    expect(JSON.stringify(plain)).not.toMatch(/deployment|track/);
    expect(JSON.stringify(trackOnly?.quiet)).not.toMatch(/deployment|track/);
    writeFileSync(path.join(dir, "inference.rules.yaml"), rulesFile(groups));
    writeFileSync(path.join(dir, "plain.test.yaml"), testFile("inference.rules.yaml", groups, cases));
    const r = promtool(["test", "rules", "plain.test.yaml"], dir);
    expect(r.status, r.output).toBe(0);
  });
});
