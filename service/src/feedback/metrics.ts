/** Prometheus metrics of the feedback loop, registered on the service's shared Registry. */
import { Counter, Gauge, type Registry } from "prom-client";
import type { LiveMetrics } from "./live-metrics";

export type DropReason = "buffer_full" | "unserializable" | "stopped" | "shutdown_timeout" | "not_authorized";
export type OutcomeResult = "joined" | "unmatched" | "duplicate" | "invalid";

export interface FeedbackMetrics {
  readonly published: Counter<"topic">;
  readonly dropped: Counter<"reason">;
  readonly publishErrors: Counter;
  readonly bufferDepth: Gauge;
  readonly outcomes: Counter<"result">;
}

export function createFeedbackMetrics(
  registry: Registry,
  topics: readonly string[],
  capacity: number,
  live: LiveMetrics,
  joinCacheSize: () => number,
): FeedbackMetrics {
  const registers = [registry];
  const dropped = new Counter({
    name: "feedback_events_dropped_total",
    help: "Feedback events not delivered to Kafka, by reason (buffer_full, unserializable, stopped, shutdown_timeout, not_authorized).",
    labelNames: ["reason"],
    registers,
  });
  // Present from the start, so a dashboard sees 0 rather than no series.
  for (const reason of [
    "buffer_full",
    "unserializable",
    "stopped",
    "shutdown_timeout",
    "not_authorized",
  ] as const)
    dropped.inc({ reason }, 0);
  const outcomes = new Counter({
    name: "feedback_outcomes_total",
    help: "Outcome messages consumed, by result (joined, unmatched, duplicate, invalid).",
    labelNames: ["result"],
    registers,
  });
  for (const result of ["joined", "unmatched", "duplicate", "invalid"] as const) outcomes.inc({ result }, 0);
  new Gauge({
    name: "feedback_buffer_capacity",
    help: "Events the in-memory delivery buffer holds at most.",
    registers,
  }).set(capacity);
  new Gauge({
    name: "feedback_join_cache_predictions",
    help: "Recent predictions held for joining with outcomes.",
    registers,
    collect() {
      this.set(joinCacheSize());
    },
  });
  const liveGauge = (
    name: string,
    help: string,
    pick: (s: ReturnType<LiveMetrics["stats"]>[number]) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ["model", "version"],
      registers,
      collect() {
        for (const stats of live.stats())
          this.set({ model: stats.model, version: stats.version }, pick(stats));
      },
    });
  liveGauge("feedback_live_accuracy", "Accuracy over the window of latest labelled rows.", (s) => s.accuracy);
  liveGauge(
    "feedback_live_auc",
    "ROC AUC over the window of latest labelled rows (absent until both classes were seen).",
    (s) => s.auc,
  );
  liveGauge("feedback_live_log_loss", "Log-loss over the window of latest labelled rows.", (s) => s.logLoss);
  liveGauge("feedback_live_window_rows", "Labelled rows in the live-metrics window.", (s) => s.rows);
  const published = new Counter({
    name: "feedback_events_published_total",
    help: "Feedback events acknowledged by Kafka, by topic.",
    labelNames: ["topic"],
    registers,
  });
  for (const topic of new Set(topics)) published.inc({ topic }, 0);
  return {
    published,
    dropped,
    publishErrors: new Counter({
      name: "feedback_publish_errors_total",
      help: "Failed attempts to deliver a batch of feedback events to Kafka (each is retried).",
      registers,
    }),
    bufferDepth: new Gauge({
      name: "feedback_buffer_depth",
      help: "Events waiting in the in-memory delivery buffer, including the batch in flight.",
      registers,
    }),
    outcomes,
  };
}
