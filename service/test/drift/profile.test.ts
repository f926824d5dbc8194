import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DriftProfileError, loadProfile } from "../../src/drift";

const models = join(dirname(fileURLToPath(import.meta.url)), "../../models/readmission");
const good = JSON.parse(readFileSync(join(models, "1/profile.json"), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "drift-profile-"));

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function mutated(change: (p: typeof good) => void): unknown {
  const copy = structuredClone(good);
  change(copy);
  return copy;
}

describe("loadProfile", () => {
  it("loads both committed readmission profiles with every feature", () => {
    for (const v of ["1", "2"]) {
      const p = loadProfile(join(models, v, "profile.json"));
      expect(p.version).toBe(v);
      expect(Object.keys(p.features)).toHaveLength(12);
      expect(p.features.admission_type).toMatchObject({ type: "categorical" });
      expect(p.prediction.sample.length).toBe(1000);
    }
  });

  it("fails when the file is missing, naming the path", () => {
    const path = join(dir, "absent.json");
    expect(() => loadProfile(path)).toThrow(`drift profile ${path}: cannot read file (ENOENT)`);
  });

  it("fails when the file is not JSON", () => {
    const path = write("broken.json", "{ not json");
    expect(() => loadProfile(path)).toThrow(new RegExp(`drift profile ${path}: invalid JSON`));
  });

  it("fails when bin frequencies do not match the bins, naming the field", () => {
    const path = write(
      "freqs.json",
      mutated((p) => p.features.age.binFrequencies.pop()),
    );
    expect(() => loadProfile(path)).toThrow(
      /features\.age\.binFrequencies: expected 10 entries \(one per bin\), got 9/,
    );
  });

  it("fails when edges are not increasing or not open-ended", () => {
    const path = write(
      "edges.json",
      mutated((p) => {
        p.features.bmi.binEdges[3] = 1000;
        p.features.bmi.binEdges[0] = 0;
      }),
    );
    const error = (() => {
      try {
        loadProfile(path);
      } catch (e) {
        return e as DriftProfileError;
      }
    })();
    expect(error).toBeInstanceOf(DriftProfileError);
    expect(error?.file).toBe(path);
    expect(error?.message).toMatch(/features\.bmi\.binEdges: expected null \(open\) first and last edges/);
    expect(error?.message).toMatch(/features\.bmi\.binEdges\.4: expected strictly increasing edges/);
  });

  it("fails when a feature type is unknown, showing the value found", () => {
    const path = write(
      "type.json",
      mutated((p) => {
        p.features.hba1c.type = "ordinal";
      }),
    );
    expect(() => loadProfile(path)).toThrow(/features\.hba1c\.type: .*\(found "ordinal"\)/);
  });

  it("fails when category frequencies do not sum to 1", () => {
    const path = write(
      "cats.json",
      mutated((p) => {
        p.features.admission_type.frequencies.trauma = 0.5;
      }),
    );
    expect(() => loadProfile(path)).toThrow(
      /features\.admission_type\.frequencies: expected to sum to 1, sums to 1\.4/,
    );
  });

  it("fails when the prediction profile is missing", () => {
    const path = write(
      "nopred.json",
      mutated((p) => {
        delete p.prediction;
      }),
    );
    expect(() => loadProfile(path)).toThrow(/prediction: .*\(found missing\)/);
  });
});
