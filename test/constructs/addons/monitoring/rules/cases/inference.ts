import { INFERENCE_TARGET_CASES } from "./services";
import { answers, type RuleCases, s } from "./types";

const ns = { namespace: "serving" };
const route = { ...ns, method: "POST", route: "/v2/models/:name/infer" };
const model = { ...ns, model: "readmission", version: "2" };

function latency(fastCount: string) {
  const name = "inference_request_duration_seconds_bucket";
  return [
    s(name, { ...model, le: "0.1" }, fastCount),
    s(name, { ...model, le: "1" }, "0+10x30"),
    s(name, { ...model, le: "+Inf" }, "0+10x30"),
  ];
}

export const INFERENCE_CASES: RuleCases = {
  ...INFERENCE_TARGET_CASES,
  InferenceHigh5xxRatio: {
    fires: {
      series: answers("http_requests_total", route, ["status_code", "503", "200"], [10, 90]),
      at: "20m",
      labels: ns,
    },
    // 4xx are the clients' errors.
    quiet: {
      series: answers("http_requests_total", route, ["status_code", "400", "200"], [10, 90]),
      at: "20m",
    },
  },
  InferenceHighLatency: {
    // Every request between 0.1 s and 1 s: p99 about 0.99 s.
    fires: { series: latency("0x30"), at: "20m", labels: { ...ns, model: "readmission" } },
    quiet: { series: latency("0+10x30"), at: "20m" },
  },
  ModelDriftDetected: {
    fires: {
      series: [s("drift_detected", { ...ns, model: "readmission", feature: "age" }, "0 1x5")],
      at: "3m",
      labels: { ...ns, model: "readmission", feature: "age" },
    },
    quiet: {
      series: [s("drift_detected", { ...ns, model: "readmission", feature: "age" }, "0x5")],
      at: "3m",
    },
  },
  ModelDriftNotMonitored: {
    fires: {
      series: [s("drift_monitored", { ...ns, model: "readmission" }, "0x40")],
      at: "35m",
      labels: { ...ns, model: "readmission" },
    },
    quiet: { series: [s("drift_monitored", { ...ns, model: "readmission" }, "1x40")], at: "35m" },
  },
};
