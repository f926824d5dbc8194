import { describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/contracts";
import { JoinCache } from "../../src/feedback/join-cache";

const event = (requestId: string, rows = 1): PredictionEvent => ({
  requestId,
  model: "churn",
  version: "3",
  timestamp: 0,
  features: { x: Array.from({ length: rows }, (_, i) => i) },
  scores: Array.from({ length: rows }, (_, i) => 0.1 * (i + 1)),
  labels: Array.from({ length: rows }, () => 0),
});

describe("JoinCache", () => {
  it("joins each row of a prediction once", () => {
    const cache = new JoinCache(10, 1000);
    cache.put(event("a", 2));
    const first = cache.take("a", 1);
    expect(first.kind).toBe("joined");
    if (first.kind === "joined") expect(first.prediction.scores[first.row]).toBeCloseTo(0.2);
    expect(cache.take("a", 1).kind).toBe("duplicate");
    expect(cache.take("a", 0).kind).toBe("joined");
    // Fully joined predictions stay until evicted, so late repeats are still recognised.
    expect(cache.take("a", 0).kind).toBe("duplicate");
  });

  it("evicts the oldest prediction beyond its capacity", () => {
    const cache = new JoinCache(2, 1000);
    cache.put(event("a"));
    cache.put(event("b"));
    cache.put(event("c"));
    expect(cache.size).toBe(2);
    expect(cache.take("a", 0).kind).toBe("unmatched");
    expect(cache.take("c", 0).kind).toBe("joined");
  });

  it("treats a re-recorded request id as new, evicting the entry that is really oldest", () => {
    const cache = new JoinCache(2, 1000);
    cache.put(event("a"));
    cache.put(event("b"));
    cache.put(event("a"));
    cache.put(event("c"));
    expect(cache.size).toBe(2);
    expect(cache.take("b", 0).kind).toBe("unmatched");
    expect(cache.take("a", 0).kind).toBe("joined");
    expect(cache.take("c", 0).kind).toBe("joined");
  });

  it("stays bounded and correct over many evictions", () => {
    const cache = new JoinCache(100, 1000);
    for (let i = 0; i < 10_000; i++) cache.put(event(`r${i % 3000}`));
    expect(cache.size).toBe(100);
    expect(cache.take("r2899", 0).kind).toBe("unmatched");
    expect(cache.take("r900", 0).kind).toBe("joined"); // put last at i = 9900
    expect(cache.take("r999", 0).kind).toBe("joined");
  });

  it("forgets predictions older than the TTL", () => {
    let now = 0;
    const cache = new JoinCache(10, 100, () => now);
    cache.put(event("old"));
    now = 50;
    cache.put(event("new"));
    now = 120;
    expect(cache.take("old", 0).kind).toBe("unmatched");
    expect(cache.take("new", 0).kind).toBe("joined");
  });

  it("fails when the outcome names a row the prediction does not have", () => {
    const cache = new JoinCache(10, 1000);
    cache.put(event("a", 2));
    const result = cache.take("a", 5);
    expect(result.kind).toBe("invalid");
    if (result.kind === "invalid")
      expect(result.error).toMatch(/outcome\.row: got 5, expected a row index below 2/);
  });
});
