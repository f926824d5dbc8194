/** Test helper: the seeded live-traffic fixture (pipelines/drift_fixtures.py) as PredictionEvents. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PredictionEvent } from "../../src/contracts";
import { type DriftProfile, loadProfile } from "../../src/drift";

const here = dirname(fileURLToPath(import.meta.url));

interface Stream {
  features: Record<string, (number | string)[]>;
  scores: number[];
  labels: number[];
}

export interface StreamFixture {
  rows: number;
  shiftedFeatures: string[];
  unshifted: Stream;
  shifted: Stream;
}

export const streams = JSON.parse(
  readFileSync(join(here, "../fixtures/drift/monitor_stream.json"), "utf8"),
) as StreamFixture;

export const profileV1: DriftProfile = loadProfile(join(here, "../../models/readmission/1/profile.json"));
export const profileV2: DriftProfile = loadProfile(join(here, "../../models/readmission/2/profile.json"));

/** Events of `batch` rows covering rows [from, to) of the chosen stream. */
export function events(
  which: "unshifted" | "shifted",
  from: number,
  to: number,
  batch = 10,
): PredictionEvent[] {
  const s = streams[which];
  const out: PredictionEvent[] = [];
  for (let start = from; start < to; start += batch) {
    const end = Math.min(start + batch, to);
    const features: Record<string, (number | string)[]> = {};
    for (const [name, values] of Object.entries(s.features)) features[name] = values.slice(start, end);
    out.push({
      requestId: `${which}-${start}`,
      model: "readmission",
      version: "1",
      timestamp: 1_700_000_000_000 + start,
      features,
      scores: s.scores.slice(start, end),
      labels: s.labels.slice(start, end),
    });
  }
  return out;
}
