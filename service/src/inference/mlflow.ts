import path from "node:path";
import type { VersionProfile } from "../contracts";
import {
  MAX_PROFILE_BYTES,
  MODEL_FILE,
  missingProfile,
  PROFILE_FILE,
  profileFromBytes,
  tooLarge,
  unreadableProfile,
} from "./layout";
import {
  downloadS3,
  type FetchedVersion,
  fetchS3Profile,
  type ModelSource,
  ModelSourceError,
  parseS3Uri,
  s3ClientFromEnv,
  writeCached,
} from "./sources";

/**
 * `models:/<name>@<alias>` or `models:/<name>/<version>` (a pinned version: the serving add-on's canary,
 * shadow and rollback name versions) → parts; anything else → undefined.
 */
export function parseAliasUri(
  uri: string,
):
  | { name: string; alias: string; version?: undefined }
  | { name: string; alias?: undefined; version: string }
  | undefined {
  const a = /^models:\/([^@/]+)@([A-Za-z0-9_-]+)$/.exec(uri);
  if (a) return { name: a[1] as string, alias: a[2] as string };
  const v = /^models:\/([^@/]+)\/([1-9][0-9]*)$/.exec(uri);
  return v ? { name: v[1] as string, version: v[2] as string } : undefined;
}

interface ModelVersion {
  readonly version: string;
  readonly source?: string;
  readonly storage_location?: string;
}

const TIMEOUT_MS = 30_000;

/**
 * Follows an MLflow registry alias through the tracking server's REST API and downloads the model's ONNX
 * file and the `profile.json` beside it: through the artifact proxy for `mlflow-artifacts:` locations, from
 * S3 for `s3://`, and through `/model-versions/get-artifact` for anything else the server can read.
 */
export class MlflowAliasSource implements ModelSource {
  readonly description: string;
  private readonly base: string;
  private readonly locations = new Map<string, string>();
  private readonly name: string;
  private readonly alias?: string;
  private readonly version?: string;

  constructor(
    uri: string,
    trackingUri: string | undefined,
    private readonly cacheDir: string,
  ) {
    const parsed = parseAliasUri(uri);
    if (!parsed)
      throw new ModelSourceError(
        `'${uri}' is not a models:/<name>@<alias> or models:/<name>/<version> reference`,
      );
    if (!trackingUri || !/^https?:\/\//.test(trackingUri)) {
      throw new ModelSourceError(
        `model source '${uri}' needs MLFLOW_TRACKING_URI set to the tracking server's http(s) URL, got '${trackingUri ?? ""}'`,
      );
    }
    this.name = parsed.name;
    this.alias = parsed.alias;
    this.version = parsed.version;
    this.base = trackingUri.replace(/\/+$/, "");
    this.description = uri;
  }

  private headers(): Record<string, string> {
    const token = process.env.MLFLOW_TRACKING_TOKEN;
    if (token) return { authorization: `Bearer ${token}` };
    const user = process.env.MLFLOW_TRACKING_USERNAME;
    if (user) {
      const basic = Buffer.from(`${user}:${process.env.MLFLOW_TRACKING_PASSWORD ?? ""}`).toString("base64");
      return { authorization: `Basic ${basic}` };
    }
    return {};
  }

  private async get(pathAndQuery: string): Promise<Response> {
    const url = `${this.base}${pathAndQuery}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.headers(), signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new ModelSourceError(`MLflow request ${pathAndQuery} failed: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const body = (await res.text()).slice(0, 300);
      throw new ModelSourceError(`MLflow answered ${res.status} to ${pathAndQuery}: ${body}`);
    }
    return res;
  }

  /** A profile through the server; 404 is "missing", any other failure "unreadable" (the model still loads). */
  private async profileAt(pathAndQuery: string, location: string): Promise<VersionProfile> {
    try {
      const res = await fetch(`${this.base}${pathAndQuery}`, {
        headers: this.headers(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (res.status === 404) {
        await res.body?.cancel();
        return missingProfile(location);
      }
      if (!res.ok) {
        const body = (await res.text()).slice(0, 300);
        return unreadableProfile(location, new Error(`MLflow answered ${res.status}: ${body}`));
      }
      const length = Number(res.headers.get("content-length") ?? 0);
      if (length > MAX_PROFILE_BYTES) {
        await res.body?.cancel();
        return tooLarge(location, length);
      }
      return profileFromBytes(new Uint8Array(await res.arrayBuffer()), location);
    } catch (err) {
      return unreadableProfile(location, err);
    }
  }

  async latest(): Promise<string> {
    // A pinned version never moves; its artifact location is read when it is fetched.
    if (this.version) return this.version;
    const q = new URLSearchParams({ name: this.name, alias: this.alias as string });
    const res = await this.get(`/api/2.0/mlflow/registered-models/alias?${q}`);
    const mv = ((await res.json()) as { model_version?: ModelVersion }).model_version;
    if (!mv?.version) throw new ModelSourceError(`MLflow alias ${this.description} resolved to no version`);
    const location = mv.storage_location || mv.source;
    if (location) this.locations.set(mv.version, location);
    return String(mv.version);
  }

  private async location(version: string): Promise<string | undefined> {
    const known = this.locations.get(version);
    if (known) return known;
    const q = new URLSearchParams({ name: this.name, version });
    const res = await this.get(`/api/2.0/mlflow/model-versions/get?${q}`);
    const mv = ((await res.json()) as { model_version?: ModelVersion }).model_version;
    return mv?.storage_location || mv?.source;
  }

  async fetch(version: string): Promise<FetchedVersion> {
    const file = path.join(this.cacheDir, "mlflow", this.name, version, MODEL_FILE);
    const location = ((await this.location(version)) ?? "").replace(/\/+$/, "");
    if (location.startsWith("s3://")) {
      const { bucket, prefix } = parseS3Uri(location);
      const client = s3ClientFromEnv();
      const [local, profile] = await Promise.all([
        downloadS3(client, bucket, `${prefix}/${MODEL_FILE}`, file),
        fetchS3Profile(client, bucket, `${prefix}/${PROFILE_FILE}`),
      ]);
      return { file: local, profile };
    }
    let model: Promise<Response>;
    let profile: Promise<VersionProfile>;
    if (location.startsWith("mlflow-artifacts:")) {
      // mlflow-artifacts:/<path> or mlflow-artifacts://<host>/<path>: the path is relative to the proxy root.
      const rel = location.replace(/^mlflow-artifacts:(\/\/[^/]*)?\/?/, "");
      const names = await this.listArtifacts(rel);
      const artifact = (name: string) =>
        `/api/2.0/mlflow-artifacts/artifacts/${encodePath(`${rel}/${name}`)}`;
      model = this.get(artifact(this.pickOnnx(rel, names)));
      const at = `mlflow-artifacts:/${rel}/${PROFILE_FILE}`;
      // The listing already says whether it exists: no request for a file that is not there.
      profile = names.includes(PROFILE_FILE)
        ? this.profileAt(artifact(PROFILE_FILE), at)
        : Promise.resolve(missingProfile(at));
    } else {
      const q = (p: string) => new URLSearchParams({ name: this.name, version, path: p });
      model = this.get(`/model-versions/get-artifact?${q(MODEL_FILE)}`);
      const at = `${location || `models:/${this.name}/${version}`}/${PROFILE_FILE}`;
      profile = this.profileAt(`/model-versions/get-artifact?${q(PROFILE_FILE)}`, at);
    }
    const [res, fetched] = await Promise.all([model, profile]);
    return { file: await writeCached(file, new Uint8Array(await res.arrayBuffer())), profile: fetched };
  }

  /** File names in a model artifact directory. */
  private async listArtifacts(rel: string): Promise<string[]> {
    const res = await this.get(`/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path: rel })}`);
    const files = ((await res.json()) as { files?: { path: string; is_dir?: boolean }[] }).files ?? [];
    return files.filter((f) => !f.is_dir).map((f) => path.posix.basename(f.path));
  }

  /** `model.onnx` when present, else the only `.onnx` file of the model directory. */
  private pickOnnx(rel: string, names: readonly string[]): string {
    if (names.includes(MODEL_FILE)) return MODEL_FILE;
    const onnx = names.filter((n) => n.endsWith(".onnx"));
    if (onnx.length !== 1) {
      throw new ModelSourceError(
        `MLflow model ${this.name} at ${rel} must hold model.onnx or exactly one .onnx file; found: ${names.join(", ") || "nothing"}`,
      );
    }
    return onnx[0] as string;
  }
}

const encodePath = (p: string) => p.split("/").map(encodeURIComponent).join("/");
