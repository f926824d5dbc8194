/** A local model repository delivers each version's model.onnx together with the profile.json beside it. */
import { cp, mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_PROFILE_BYTES } from "../../src/inference/layout";
import { LocalSource } from "../../src/inference/sources";
import { brokenProfile, MODEL, MODELS_DIR } from "./helpers";

let repo: string;
const versionDir = (v: string) => path.join(repo, MODEL, v);

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "local-source-"));
  await cp(path.join(MODELS_DIR, MODEL, "1"), versionDir("1"), { recursive: true });
  for (const v of ["2", "3", "4", "5"]) {
    await mkdir(versionDir(v), { recursive: true });
    await cp(path.join(MODELS_DIR, MODEL, "2", "model.onnx"), path.join(versionDir(v), "model.onnx"));
  }
  await writeFile(path.join(versionDir("3"), "profile.json"), "{not json");
  await writeFile(path.join(versionDir("4"), "profile.json"), brokenProfile("2"));
  // Sparse: past the size limit without writing the bytes.
  await writeFile(path.join(versionDir("5"), "profile.json"), "");
  await truncate(path.join(versionDir("5"), "profile.json"), MAX_PROFILE_BYTES + 1);
});
afterAll(() => rm(repo, { recursive: true, force: true }));

describe("LocalSource", () => {
  const source = () => new LocalSource(repo, MODEL);

  it("delivers the version's model.onnx and the validated profile.json beside it", async () => {
    const v = await source().fetch("1");
    expect(v.file).toBe(path.join(versionDir("1"), "model.onnx"));
    expect(v.profile).toMatchObject({
      state: "found",
      location: path.join(versionDir("1"), "profile.json"),
      profile: { model: MODEL, version: "1" },
    });
  });

  it("warns when the version has no profile.json: the model file is still delivered, the profile missing", async () => {
    expect(await source().fetch("2")).toEqual({
      file: path.join(versionDir("2"), "model.onnx"),
      profile: {
        state: "missing",
        location: path.join(versionDir("2"), "profile.json"),
        reason: "no profile.json next to the model",
      },
    });
  });

  it("fails when profile.json is not JSON: invalid, with the parser's message", async () => {
    const { profile } = await source().fetch("3");
    expect(profile).toMatchObject({
      state: "invalid",
      reason: expect.stringMatching(/^invalid JSON \(.+\)$/),
    });
  });

  it("fails when profile.json breaks the schema: invalid, naming the field and the value found", async () => {
    const { profile } = await source().fetch("4");
    expect(profile).toMatchObject({
      state: "invalid",
      location: path.join(versionDir("4"), "profile.json"),
      reason: expect.stringMatching(/^features\.age\.binFrequencies: expected to sum to 1, .*\(found \[/),
    });
  });

  it("fails when profile.json is larger than a profile may be, without reading it", async () => {
    const { profile } = await source().fetch("5");
    expect(profile).toMatchObject({
      state: "invalid",
      reason: `${MAX_PROFILE_BYTES + 1} bytes, more than the ${MAX_PROFILE_BYTES} a drift profile may have`,
    });
  });
});
