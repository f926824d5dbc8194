/**
 * DriftMonitors on the real engine and a local repository: each served version is compared with the profile
 * that came with it, hot swaps switch the profile, and a version without a usable profile is served
 * unmonitored with the reason in its status and a warning naming the profile's path and the version.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { InferenceEngine, LoadedVersions, PredictionEvent } from "../../src/contracts";
import { DriftMonitors, type DriftStatusEvent, type ModelDriftStatus } from "../../src/drift";
import { createEngine } from "../../src/inference";
import { captureLogger, metricValue } from "../feedback/helpers";
import { brokenProfile, MODEL, makeRows, modelFile, profileFile, toTensors } from "../inference/helpers";
import { events } from "./stream";

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A repository whose versions hold a committed model and optionally a profile (committed version or text). */
async function addVersion(repo: string, version: string, model: string, profile?: string | { text: string }) {
  const dir = path.join(repo, MODEL, version);
  await mkdir(dir, { recursive: true });
  await copyFile(modelFile(model), path.join(dir, "model.onnx"));
  if (typeof profile === "string") await copyFile(profileFile(profile), path.join(dir, "profile.json"));
  else if (profile !== undefined) await writeFile(path.join(dir, "profile.json"), profile.text);
  return path.join(dir, "profile.json");
}

async function setup(versions: Record<string, [model: string, profile?: string | { text: string }]>) {
  const repo = await mkdtemp(path.join(os.tmpdir(), "drift-monitors-"));
  dirs.push(repo);
  for (const [v, [model, profile]] of Object.entries(versions)) await addVersion(repo, v, model, profile);
  const registry = new Registry();
  const engine = await createEngine({
    models: [{ name: MODEL, source: repo }],
    workers: 1,
    pollIntervalMs: 0,
    registry,
  });
  const logger = captureLogger();
  const changes: DriftStatusEvent[] = [];
  const monitors = new DriftMonitors({
    engine,
    registry,
    logger,
    settings: { windowSize: 1000, evaluateEvery: 500 },
    onStatusChange: (e) => changes.push(e),
  });
  closers.push(async () => {
    await monitors.close();
    await engine.close();
  });
  return { repo, registry, engine, logger, changes, monitors };
}

const status = (m: DriftMonitors) => m.status(MODEL) as ModelDriftStatus;
const asVersion = (list: PredictionEvent[], version: string) => list.map((e) => ({ ...e, version }));
const feed = (m: DriftMonitors, list: PredictionEvent[]) => {
  for (const e of list) m.record(e);
};
const settled = () => new Promise((r) => setImmediate(r));

async function expectServes(engine: InferenceEngine & LoadedVersions, version: string) {
  const r = await engine.infer({ model: MODEL, inputs: toTensors(makeRows(7, 4)) });
  expect(r.version).toBe(version);
}

describe("DriftMonitors on the real engine", () => {
  it("compares each served version with its own profile and switches profile on hot swap", async () => {
    const { repo, registry, engine, monitors, changes } = await setup({ "1": ["1", "1"] });
    expect(status(monitors)).toMatchObject({
      model: MODEL,
      monitored: true,
      version: "1",
      profileVersion: "1",
      profileLocation: path.join(repo, MODEL, "1", "profile.json"),
      rowsSeen: 0,
    });
    expect(await metricValue(registry, "drift_monitored", { model: MODEL })).toBe(1);

    feed(monitors, asVersion(events("shifted", 0, 1000), "1"));
    await monitors.monitor(MODEL)?.flush();
    expect(status(monitors)).toMatchObject({ drifted: true, rowsSeen: 1000 });
    expect(await metricValue(registry, "drift_detected", { model: MODEL, feature: "age" })).toBe(1);
    expect(changes.some((c) => c.feature === "age" && c.drifted && c.profileVersion === "1")).toBe(true);

    await addVersion(repo, "2", "2", "2");
    await engine.load(MODEL);
    // The first event of version 2 switches to version 2's profile; a late event of version 1 (answered
    // before the swap) is dropped rather than mixed into version 2's window.
    feed(monitors, asVersion(events("unshifted", 0, 10), "2"));
    feed(monitors, asVersion(events("shifted", 0, 10), "1"));
    await settled();
    expect(status(monitors)).toMatchObject({
      monitored: true,
      version: "2",
      profileVersion: "2",
      profileLocation: path.join(repo, MODEL, "2", "profile.json"),
      lastSeenVersion: "2",
      rowsSeen: 10,
      drifted: false,
      features: {},
    });
    expect(
      await metricValue(registry, "drift_dropped_events_total", {
        model: MODEL,
        reason: "version_not_serving",
      }),
    ).toBe(1);
    // Version 1's verdict does not outlive it.
    expect((await registry.getSingleMetric("drift_detected")?.get())?.values).toEqual([]);
  });

  it("warns when a swapped-in version has no profile.json: served, not monitored, the status says why", async () => {
    const { repo, registry, engine, monitors, logger } = await setup({ "1": ["1", "1"] });
    feed(monitors, asVersion(events("shifted", 0, 1000), "1"));
    await monitors.monitor(MODEL)?.flush();
    const missing = await addVersion(repo, "2", "2");
    await engine.load(MODEL);
    await expectServes(engine, "2");
    feed(monitors, asVersion(events("shifted", 0, 1000), "2"));
    await settled();

    expect(status(monitors)).toEqual({
      model: MODEL,
      monitored: false,
      version: "2",
      profileLocation: missing,
      reason: "drift profile missing: no profile.json next to the model",
    });
    expect(monitors.status()).toEqual({ models: { [MODEL]: status(monitors) } });
    expect(await metricValue(registry, "drift_monitored", { model: MODEL })).toBe(0);
    expect((await registry.getSingleMetric("drift_detected")?.get())?.values).toEqual([]);
    const warning = logger.entries.find((e) => e.level === "warn" && e.obj.version === "2");
    expect(warning?.obj).toMatchObject({
      model: MODEL,
      profile: missing,
      source: `local:${path.join(repo, MODEL)}`,
    });
    expect(warning?.msg).toContain(`drift not monitored for model ${MODEL} version 2`);
    expect(warning?.msg).toContain(missing);
  });

  it("warns when the profile is malformed, never throws on events, and monitors the next version that has a valid one", async () => {
    const { repo, engine, monitors, logger } = await setup({ "1": ["1", { text: brokenProfile("1") }] });
    const bad = path.join(repo, MODEL, "1", "profile.json");
    expect(status(monitors)).toMatchObject({
      monitored: false,
      version: "1",
      profileLocation: bad,
      reason: expect.stringMatching(
        /^drift profile invalid: features\.age\.binFrequencies: expected to sum to 1/,
      ),
    });
    const warning = logger.entries.find((e) => e.level === "warn");
    expect(warning?.msg).toMatch(new RegExp(`version 1: drift profile invalid: .*\\(profile ${bad}\\)`));
    expect(() => feed(monitors, asVersion(events("shifted", 0, 1000), "1"))).not.toThrow();
    await expectServes(engine, "1");

    await addVersion(repo, "2", "2", { text: "{not json" });
    await engine.load(MODEL);
    expect(status(monitors)).toMatchObject({
      monitored: false,
      version: "2",
      reason: expect.stringMatching(/^drift profile invalid: invalid JSON \(/),
    });

    await addVersion(repo, "3", "2", "2");
    await engine.load(MODEL);
    expect(status(monitors)).toMatchObject({ monitored: true, version: "3", profileVersion: "2" });
  });

  it("warns when the profile's features are not inputs of the model", async () => {
    const renamed = JSON.parse(brokenProfile("1").replace('"age"', '"age_years"'));
    renamed.features.age_years.binFrequencies = renamed.features.age_years.binFrequencies.map(
      (f: number) => f / 2,
    );
    const { monitors } = await setup({ "1": ["1", { text: JSON.stringify(renamed) }] });
    expect(status(monitors)).toMatchObject({
      monitored: false,
      reason: expect.stringMatching(
        /^drift profile invalid: features age_years are not inputs of the model \(inputs: age, /,
      ),
    });
  });

  it("reports an unloaded model as not monitored, with the engine's reason", async () => {
    const { engine, monitors } = await setup({ "1": ["1", "1"] });
    await engine.unload(MODEL);
    expect(status(monitors)).toEqual({
      model: MODEL,
      monitored: false,
      version: null,
      profileLocation: null,
      reason: "no version is serving (model UNAVAILABLE: unloaded)",
    });
    await engine.load(MODEL);
    expect(status(monitors)).toMatchObject({ monitored: true, version: "1", rowsSeen: 0 });
  });
});
