import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { HotCounter, HotGauge, HotHistogram } from "../src/hot-metrics";

const BUCKETS = [0.001, 0.01, 0.1, 1];
// Values on, between, below and above the bucket bounds.
const VALUES = [0.0005, 0.001, 0.002, 0.01, 0.05, 0.1, 0.7, 1, 3, 42];

function pair() {
  const hot = new Registry();
  const reference = new Registry();
  return { hot, reference };
}

describe("HotCounter and HotHistogram", () => {
  it("expose exactly what prom-client's Counter and Histogram expose for the same updates", async () => {
    const { hot, reference } = pair();
    const labelNames = ["route", "code"] as const;
    const hc = new HotCounter({ name: "req_total", help: "Requests.", labelNames, registers: [hot] });
    const rc = new Counter({ name: "req_total", help: "Requests.", labelNames, registers: [reference] });
    const hh = new HotHistogram({
      name: "req_seconds",
      help: "Latency.",
      labelNames,
      buckets: BUCKETS,
      registers: [hot],
    });
    const rh = new Histogram({
      name: "req_seconds",
      help: "Latency.",
      labelNames,
      buckets: BUCKETS,
      registers: [reference],
    });
    const a = { route: "/v2/models/:name/infer", code: "200" };
    const b = { route: "/metrics", code: "404" };
    const boundA = hh.bind(a);
    const countA = hc.bind(a);
    for (const v of VALUES) {
      boundA.observe(v);
      rh.observe(a, v);
      countA.inc();
      rc.inc(a);
    }
    hh.observe(b, 0.02);
    rh.observe(b, 0.02);
    hc.inc(b, 5);
    rc.inc(b, 5);

    expect(await hot.metrics()).toBe(await reference.metrics());
    expect(await hot.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
  });

  it("HotGauge exposes what prom-client's Gauge exposes, unlabelled at 0 before any update", async () => {
    const { hot, reference } = pair();
    const hg = new HotGauge({ name: "depth_rows", help: "Depth.", labelNames: [], registers: [hot] });
    const rg = new Gauge({ name: "depth_rows", help: "Depth.", registers: [reference] });
    expect(await hot.metrics()).toBe(await reference.metrics());
    const bound = hg.bind({});
    bound.set(7);
    rg.set(7);
    bound.inc(3);
    rg.inc(3);
    bound.dec();
    rg.dec();
    expect(await hot.metrics()).toBe(await reference.metrics());
    expect(await hot.metrics()).toContain("depth_rows 9");
  });

  it("export a bound series only after its first update, as prom-client does", async () => {
    const registry = new Registry();
    const c = new HotCounter({ name: "c_total", help: "C.", labelNames: ["model"], registers: [registry] });
    const h = new HotHistogram({
      name: "h_seconds",
      help: "H.",
      labelNames: ["model"],
      buckets: [1],
      registers: [registry],
    });
    const cs = c.bind({ model: "never" });
    const hs = h.bind({ model: "never" });
    expect(await registry.metrics()).not.toContain("never");
    cs.inc();
    hs.observe(2);
    const text = await registry.metrics();
    expect(text).toContain('c_total{model="never"} 1');
    expect(text).toContain('h_seconds_bucket{le="+Inf",model="never"} 1');
    expect(text).toContain('h_seconds_bucket{le="1",model="never"} 0');
  });

  it("keep bound handles working after Registry.resetMetrics", async () => {
    const registry = new Registry();
    const c = new HotCounter({ name: "c_total", help: "C.", labelNames: ["m"], registers: [registry] });
    const bound = c.bind({ m: "x" });
    bound.inc(3);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('m="x"');
    bound.inc(2);
    expect(await registry.metrics()).toContain('c_total{m="x"} 2');
  });

  it("fails when labels do not match the declared label names", () => {
    const c = new HotCounter({
      name: "c_total",
      help: "C.",
      labelNames: ["model", "version"],
      registers: [],
    });
    expect(() => c.bind({ model: "m" } as never)).toThrow(
      "metric c_total: expected labels model, version, got model",
    );
  });

  it("fails when the metric name or buckets are invalid", () => {
    expect(() => new HotCounter({ name: "bad-name", help: "x", labelNames: [], registers: [] })).toThrow(
      "metric name 'bad-name' is not a valid Prometheus name",
    );
    expect(
      () => new HotHistogram({ name: "h", help: "x", labelNames: [], buckets: [1, 1], registers: [] }),
    ).toThrow("metric h: buckets must be distinct finite numbers");
  });
});
