/**
 * The model-repository layout every source shares, and the drift profile that travels with a version:
 *
 *   <root>/<model>/<version>/model.onnx     the model (ONNX Runtime)
 *   <root>/<model>/<version>/profile.json   its drift reference profile (format in pipelines/README.md)
 *
 * `<root>` is a local directory or an s3://bucket/prefix; an MLflow model version keeps both files in its
 * model artifact directory (the version's `source`), `profile.json` beside the `.onnx` file.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { VersionProfile } from "../contracts";
import { DriftProfileError, parseProfile } from "../drift/profile";

export const MODEL_FILE = "model.onnx";
export const PROFILE_FILE = "profile.json";
/** A reference profile is ~120 kB; anything past this is refused unread so a bad upload cannot exhaust memory. */
export const MAX_PROFILE_BYTES = 16 * 1024 * 1024;

/** `s3://…`, `models:/…`, `file://…`: anything with a scheme is not a local directory. */
export const isUri = (s: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(s);

/** Numeric versions sort numerically; others after them, lexically. */
export function highestVersion(versions: readonly string[]): string | undefined {
  const score = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NEGATIVE_INFINITY);
  return [...versions].sort((a, b) => score(a) - score(b) || a.localeCompare(b)).at(-1);
}

/** Model names in a local repository: directories holding at least one numeric version directory. */
export async function listModelNames(repository: string): Promise<string[]> {
  const names: string[] = [];
  for (const d of await readdir(repository, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const versions = await readdir(path.join(repository, d.name), { withFileTypes: true });
    if (versions.some((v) => v.isDirectory() && /^\d+$/.test(v.name))) names.push(d.name);
  }
  return names.sort();
}

/** Parses and validates a fetched profile. Never throws: a bad profile is reported, not fatal. */
export function profileFromBytes(bytes: Uint8Array, location: string): VersionProfile {
  if (bytes.byteLength > MAX_PROFILE_BYTES) return tooLarge(location, bytes.byteLength);
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch (err) {
      return { state: "invalid", location, reason: `invalid JSON (${(err as Error).message})` };
    }
    return { state: "found", location, profile: parseProfile(raw, location) };
  } catch (err) {
    const reason =
      err instanceof DriftProfileError ? err.problems.join("; ") : `cannot validate (${String(err)})`;
    return { state: "invalid", location, reason };
  }
}

export function tooLarge(location: string, bytes: number): VersionProfile {
  return {
    state: "invalid",
    location,
    reason: `${bytes} bytes, more than the ${MAX_PROFILE_BYTES} a drift profile may have`,
  };
}

export const missingProfile = (location: string): VersionProfile => ({
  state: "missing",
  location,
  reason: `no ${PROFILE_FILE} next to the model`,
});

export const unreadableProfile = (location: string, err: unknown): VersionProfile => ({
  state: "unreadable",
  location,
  reason: `cannot read (${err instanceof Error ? err.message : String(err)})`,
});
