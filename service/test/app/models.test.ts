/** Which models the service serves, and from where, from the configuration and the repository layout. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelSources } from "../../src/app/models";
import { loadConfig } from "../../src/config";

let repo: string;
beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "app-models-"));
  await mkdir(path.join(repo, "b-model", "3"), { recursive: true });
  await mkdir(path.join(repo, "a-model", "1"), { recursive: true });
  await mkdir(path.join(repo, "not-a-model", "latest"), { recursive: true });
  await writeFile(path.join(repo, "README.md"), "");
});
afterAll(() => rm(repo, { recursive: true, force: true }));

describe("modelSources", () => {
  it("finds every <name>/<numeric version>/ directory of a local repository, sorted", async () => {
    expect(await modelSources(loadConfig({ MODEL_REPOSITORY: repo }))).toEqual([
      { name: "a-model", source: repo },
      { name: "b-model", source: repo },
    ]);
  });

  it("takes MODELS from the repository and MODEL_SOURCES as given", async () => {
    expect(await modelSources(loadConfig({ MODEL_REPOSITORY: "s3://bucket/p", MODELS: "x" }))).toEqual([
      { name: "x", source: "s3://bucket/p" },
    ]);
    const sources = "m=models:/m@champion,n=s3://b/q";
    expect(await modelSources(loadConfig({ MODEL_SOURCES: sources }))).toEqual([
      { name: "m", source: "models:/m@champion" },
      { name: "n", source: "s3://b/q" },
    ]);
  });

  it("fails when a remote repository comes without MODELS", async () => {
    await expect(modelSources(loadConfig({ MODEL_REPOSITORY: "s3://bucket/p" }))).rejects.toThrow(
      /MODELS="": expected model names when MODEL_REPOSITORY=s3:\/\/bucket\/p is not a directory/,
    );
  });

  it("fails when the repository holds no model", async () => {
    await expect(
      modelSources(loadConfig({ MODEL_REPOSITORY: path.join(repo, "not-a-model") })),
    ).rejects.toThrow(/expected <name>\/<version>\/model\.onnx/);
  });
});
