/**
 * The feedback loop's metric list is what the service's own feedback metrics expose: they are registered on a
 * fresh Registry exactly as the service does (service/src/feedback/metrics.ts) and the `# TYPE` lines of the
 * exposition must equal the committed list. With one labelled row the live gauges carry a sample too.
 */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { familiesOf, INFERENCE_FEEDBACK_FAMILIES } from "../../../../../constructs/addons/monitoring/rules";
import { LiveMetrics } from "../../../../../service/src/feedback/live-metrics";
import { createFeedbackMetrics } from "../../../../../service/src/feedback/metrics";

async function exposition(): Promise<string> {
  const registry = new Registry();
  const live = new LiveMetrics(100);
  live.add("readmission", "2", 0.8, 1, 1);
  createFeedbackMetrics(registry, ["predictions", "outcomes"], 1000, live, () => 0);
  return registry.metrics();
}

describe("inference service feedback exposition", () => {
  it("declares exactly the families on the committed list (update metrics/inference-feedback.ts with it)", async () => {
    const text = await exposition();
    expect([...familiesOf(text)].sort()).toEqual([...INFERENCE_FEEDBACK_FAMILIES].sort());
    expect(text).toMatch(/^feedback_live_accuracy\{model="readmission",version="2"\} 1$/m);
  });

  it("fails when a family is renamed", async () => {
    const renamed = familiesOf(
      (await exposition()).replace("# TYPE feedback_live_accuracy gauge", "# TYPE feedback_accuracy gauge"),
    );
    expect([...renamed].sort()).not.toEqual([...INFERENCE_FEEDBACK_FAMILIES].sort());
  });
});
