/** Test helpers for the feedback loop: a capturing logger, metric readers and bounded polling. */
import type { Registry } from "prom-client";
import type { PredictionEvent } from "../../src/contracts";
import type { FeedbackLogger } from "../../src/feedback";

export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

/** Keeps every entry; prints warn and error ones when FEEDBACK_TEST_LOGS=1 for debugging. */
export function captureLogger(): FeedbackLogger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry["level"]) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj: obj as Record<string, unknown>, msg });
      if (process.env.FEEDBACK_TEST_LOGS === "1" && (level === "warn" || level === "error")) {
        console.log(level, msg, JSON.stringify(obj));
      }
    };
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Value of one series of a metric, 0 when the series does not exist yet. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const series = values.find((v) =>
    Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
  );
  return series?.value ?? 0;
}

/** Polls until `check` is true; fails with `what` after the timeout. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A deterministic prediction for request `i`: 11 distinct scores strictly inside (0, 1), so many tie. */
export function prediction(i: number, rows = 1, model = "churn", version = "7"): PredictionEvent {
  const scores = Array.from({ length: rows }, (_, r) => (((i * 7 + r * 3) % 11) + 0.5) / 11);
  return {
    requestId: `req-${i}`,
    model,
    version,
    timestamp: 1_780_000_000_000 + i,
    features: {
      tenure: Array.from({ length: rows }, (_, r) => i + r),
      plan: Array.from({ length: rows }, (_, r) => ((i + r) % 2 === 0 ? "basic" : "pro")),
    },
    scores,
    labels: scores.map((s) => (s >= 0.5 ? 1 : 0)),
  };
}
