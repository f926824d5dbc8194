import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { currentReadmeSample, README, readmeSample } from "./fixtures/sample/sample";

/**
 * The README's "Pull requests" sample is what the diff renders for the committed sample fixture
 * (fixtures/sample: base/ and head/ synthesized from app.ts). After changing the renderer or the fixture:
 * `npx tsx test/scripts/diff/fixtures/sample/make.ts`.
 */
describe("README sample comment", () => {
  const sample = readmeSample();

  it("is the diff's rendering of the sample fixture, byte for byte", () => {
    expect(currentReadmeSample(readFileSync(README, "utf8"))).toBe(sample);
  });

  it("shows each kind of line the section describes", () => {
    for (const s of [
      "`bucket` forces a new resource",
      "moved {\n  from = aws_s3_bucket.ModelsBucket\n  to   = aws_s3_bucket.ModelRegistryBucket\n}",
      "IAM allows wildcard actions `s3:*`",
      "security group ingress opened to the internet: `0.0.0.0/0 port 443`",
      "chart airflow: 1.22.0 → 1.22.1",
      '`manifest.spec.limits["nvidia.com/gpu"]`: 4 → 8',
      "<code>(redacted, changed)</code>",
    ])
      expect(sample).toContain(s);
    expect(sample).not.toMatch(/s3cret/);
  });
});
