import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/contracts";
import {
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftStatusEvent,
  PREDICTION_FEATURE,
} from "../../src/drift";
import { events, profileV1, profileV2, streams } from "./stream";

async function gauge(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

function monitor(options: Partial<DriftMonitorOptions> = {}) {
  const registry = new Registry();
  const changes: DriftStatusEvent[] = [];
  const errors: unknown[] = [];
  const m = new DriftMonitor({
    model: "readmission",
    profile: profileV1,
    registry,
    onStatusChange: (e) => changes.push(e),
    onError: (e) => errors.push(e),
    ...options,
  });
  return { m, registry, changes, errors };
}

function feed(m: DriftMonitor, list: PredictionEvent[]): void {
  for (const e of list) m.record(e);
}

describe("DriftMonitor on the seeded live streams", () => {
  it("reports no drift and emits no event for traffic from the training distribution", async () => {
    const { m, registry, changes, errors } = monitor({ windowSize: 1000, evaluateEvery: 250 });
    for (let from = 0; from < streams.rows; from += 250) {
      feed(m, events("unshifted", from, from + 250));
      await m.flush();
    }
    const status = await m.flush();
    await m.close();
    expect(errors).toEqual([]);
    expect(status.evaluations).toBe(7); // after rows 500, 750, ..., 2000
    expect(status.drifted).toBe(false);
    expect(changes).toEqual([]);
    expect(Object.keys(status.features).sort()).toEqual(
      [...Object.keys(profileV1.features), PREDICTION_FEATURE].sort(),
    );
    for (const [name, f] of Object.entries(status.features)) {
      expect(f.psi, name).toBeLessThan(0.1);
      expect(await gauge(registry, "drift_detected", { model: "readmission", feature: name }), name).toBe(0);
    }
  });

  it("raises drift_detected and emits drift events for the shifted features", async () => {
    const { m, registry, changes, errors } = monitor({ windowSize: 1000, evaluateEvery: 500 });
    feed(m, events("unshifted", 0, 1000));
    await m.flush();
    expect(changes).toEqual([]);
    feed(m, events("shifted", 0, 1000));
    const status = await m.flush();
    await m.close();
    expect(errors).toEqual([]);

    for (const feature of streams.shiftedFeatures) {
      expect(status.features[feature]?.drifted, feature).toBe(true);
      expect(await gauge(registry, "drift_detected", { model: "readmission", feature })).toBe(1);
      const event = changes.find((c) => c.feature === feature);
      expect(event, `drift event for ${feature}`).toMatchObject({
        model: "readmission",
        version: "1",
        feature,
        drifted: true,
        previous: false,
        windowRows: 1000,
      });
    }
    const ks = status.features.age?.tests.ks;
    expect(ks?.adjustedPValue).toBeLessThan(0.05);
    expect(await gauge(registry, "drift_p_value", { model: "readmission", feature: "age", test: "ks" })).toBe(
      ks?.pValue,
    );
    expect(status.features.admission_type?.tests.chi2?.adjustedPValue).toBeLessThan(0.05);
    // Untouched, independent features stay quiet.
    for (const feature of ["bmi", "num_lab_procedures"])
      expect(status.features[feature]?.drifted, feature).toBe(false);
    // The unseen category is counted and named, not fatal.
    expect(status.unseenValues.discharge_disposition).toContain("hospice");
    expect(status.features.discharge_disposition?.unseenShare).toBeGreaterThan(0.005);
    const text = await registry.metrics();
    expect(text).toMatch(/drift_psi\{model="readmission",feature="age"\} \d/);
    expect(text).toMatch(/drift_p_value\{model="readmission",feature="admission_type",test="chi2"\} /);
  });

  it("sliding windows forget: drift clears, with an event, once shifted rows leave the window", async () => {
    const { m, changes } = monitor({ windowSize: 500, evaluateEvery: 250, minRows: 250 });
    for (const [which, from] of [
      ["shifted", 0],
      ["shifted", 250],
      ["unshifted", 0],
      ["unshifted", 250],
    ] as const) {
      feed(m, events(which, from, from + 250));
      await m.flush();
    }
    await m.close();
    const age = changes.filter((c) => c.feature === "age").map((c) => c.drifted);
    expect(age[0]).toBe(true);
    expect(age.at(-1)).toBe(false);
    expect(m.status().features.age?.drifted).toBe(false);
  });

  it("tumbling windows are disjoint and evaluated once each", async () => {
    const { m, changes } = monitor({ windowSize: 500, mode: "tumbling" });
    feed(m, events("shifted", 0, 500));
    feed(m, events("unshifted", 0, 500));
    feed(m, events("unshifted", 500, 700));
    const status = await m.flush();
    await m.close();
    expect(status.evaluations).toBe(2);
    expect(status.rowsSeen).toBe(1200);
    expect(status.rowsInWindow).toBe(200);
    expect(status.lastEvaluation?.windowRows).toBe(500);
    // First window drifted, second clean: one "on" and one "off" event for age.
    expect(changes.filter((c) => c.feature === "age").map((c) => c.drifted)).toEqual([true, false]);
  });

  it("evaluates on the timer when fewer than evaluateEvery rows arrived", async () => {
    const { m } = monitor({ windowSize: 500, evaluateEvery: 1_000_000, minRows: 100, intervalMs: 20 });
    feed(m, events("unshifted", 0, 200));
    expect(m.status().evaluations).toBe(0);
    for (let i = 0; i < 100 && m.status().evaluations === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const status = await m.flush();
    await m.close();
    expect(status.evaluations).toBeGreaterThanOrEqual(1);
    expect(status.lastEvaluation?.windowRows).toBe(200);
  });

  it("status() survives a JSON round trip for the HTTP endpoint", async () => {
    const { m } = monitor({ windowSize: 300, psiThreshold: Number.POSITIVE_INFINITY });
    feed(m, events("shifted", 0, 300));
    const status = await m.evaluateNow();
    await m.close();
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    expect(status.psiThreshold).toBeNull();
    expect(status.features.age?.reasons).toEqual(["p_value"]);
  });

  it("setProfile switches the reference and starts from an empty window", async () => {
    const { m, changes } = monitor({ windowSize: 500 });
    feed(m, events("shifted", 0, 500));
    expect((await m.flush()).features.age?.drifted).toBe(true);
    m.setProfile(profileV2);
    const reset = m.status();
    expect(reset).toMatchObject({ profileVersion: "2", rowsInWindow: 0, drifted: false, features: {} });
    feed(m, events("unshifted", 0, 500));
    const status = await m.flush();
    await m.close();
    expect(status.profileVersion).toBe("2");
    expect(status.features.age?.drifted).toBe(false);
    expect(changes.filter((c) => c.feature === "age").map((c) => [c.drifted, c.profileVersion])).toEqual([
      [true, "1"],
    ]);
  });

  it("record() returns before any statistic is computed", () => {
    const { m } = monitor({ windowSize: 200, evaluateEvery: 50, minRows: 50 });
    feed(m, events("shifted", 0, 400));
    expect(m.status().evaluations).toBe(0);
    return m.close();
  });

  it("applies Bonferroni by default and Benjamini–Hochberg on request", async () => {
    for (const correction of ["bonferroni", "fdr_bh"] as const) {
      const { m } = monitor({ windowSize: 1000, correction });
      feed(m, events("shifted", 0, 1000));
      const status = await m.evaluateNow();
      await m.close();
      expect(status.correction).toBe(correction);
      const tests = Object.values(status.features).flatMap((f) => Object.values(f.tests));
      expect(tests.length).toBe(13);
      const ps = tests.map((t) => t.pValue);
      for (const t of tests) {
        if (correction === "bonferroni") expect(t.adjustedPValue).toBeCloseTo(Math.min(1, t.pValue * 13), 12);
        else {
          // BH: adjusted = min over ranks r >= rank(p) of p_(r) * m / r.
          const sorted = [...ps].sort((a, b) => a - b);
          const rank = sorted.indexOf(t.pValue);
          const bh = Math.min(1, ...sorted.slice(rank).map((p, i) => (p * 13) / (rank + i + 1)));
          expect(t.adjustedPValue).toBeCloseTo(bh, 12);
        }
      }
    }
  });

  it("ignores other models and counts events it cannot use", async () => {
    const { m, registry, errors } = monitor({ windowSize: 100 });
    const [good] = events("unshifted", 0, 10);
    m.record({ ...(good as PredictionEvent), model: "other" });
    const { age: _dropped, ...withoutAge } = (good as PredictionEvent).features;
    m.record({ ...(good as PredictionEvent), features: withoutAge });
    m.record({ ...(good as PredictionEvent), features: null as never });
    expect(m.status().rowsSeen).toBe(0);
    expect(
      await gauge(registry, "drift_dropped_events_total", {
        model: "readmission",
        reason: "missing_feature",
      }),
    ).toBe(1);
    expect(errors.length).toBe(1);
    await m.close();
  });

  it("fails when options are out of range", () => {
    const registry = new Registry();
    const base = { model: "readmission", profile: profileV1, registry };
    expect(() => new DriftMonitor({ ...base, windowSize: 0 })).toThrow(
      /windowSize must be a positive integer, got 0/,
    );
    expect(() => new DriftMonitor({ ...base, alpha: 1.5 })).toThrow(/alpha must be in \(0, 1\), got 1.5/);
    expect(() => new DriftMonitor({ ...base, windowSize: 10, minRows: 20 })).toThrow(/minRows \(20\)/);
    expect(() => new DriftMonitor({ ...base, correction: "holm" as never })).toThrow(/correction must be/);
  });
});
