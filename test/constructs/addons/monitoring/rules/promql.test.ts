import { describe, expect, it } from "vitest";
import { metricNames } from "../../../../../constructs/addons/monitoring/rules";

describe("metricNames", () => {
  it.each([
    ["up", ["up"]],
    ['up{job="a", namespace=~"x|y"} == 0', ["up"]],
    ['sum by (namespace, pod) (rate(http_requests_total{code=~"5.."}[5m]))', ["http_requests_total"]],
    ["sum without (instance) (a) / on (job) group_left (team) b", ["a", "b"]],
    ["a * on (x) group_left b", ["a", "b"]],
    ['histogram_quantile(0.99, sum by (le) (rate(x_bucket{le!="+Inf"}[5m])))', ["x_bucket"]],
    ["predict_linear(avail[6h], 24 * 3600) < 0 and cap > 1e3", ["avail", "cap"]],
    ["count(a == 1 and on (namespace, pod) b > 0) > 0 and on () avg(c) < 5", ["a", "b", "c"]],
    ["max_over_time(a[1h:5m] offset 1d) unless ignoring (x) b", ["a", "b"]],
    ["topk(3, a) or bottomk by (x) (2, b)", ["a", "b"]],
    ['{__name__="legacy_metric", job="a"}', ["legacy_metric"]],
    ["sum(rate(a[5m])) == 0 or absent(a)", ["a"]],
    ['label_replace(a, "dst", "$1", "src", "(sum|rate).*")', ["a"]],
    ["nodejs:recorded:rate5m > bool 0x1F", ["nodejs:recorded:rate5m"]],
    ['a{x="}"} + b', ["a", "b"]],
  ])("%s", (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });

  it("fails when brackets do not balance", () => {
    expect(() => metricNames('sum(rate(a{x="1"[5m]))')).toThrow(/unbalanced/);
  });
});
