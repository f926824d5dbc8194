import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { downloadS3, type ModelSource, ModelSourceError, parseS3Uri, s3ClientFromEnv } from "./sources";

/** `models:/<name>@<alias>` → parts; anything else → undefined. */
export function parseAliasUri(uri: string): { name: string; alias: string } | undefined {
  const m = /^models:\/([^@/]+)@([A-Za-z0-9_-]+)$/.exec(uri);
  return m ? { name: m[1] as string, alias: m[2] as string } : undefined;
}

interface ModelVersion {
  readonly version: string;
  readonly source?: string;
  readonly storage_location?: string;
}

const TIMEOUT_MS = 30_000;

/**
 * Follows an MLflow registry alias through the tracking server's REST API and downloads the model's ONNX
 * file: through the artifact proxy for `mlflow-artifacts:` locations, from S3 for `s3://`, and through
 * `/model-versions/get-artifact` for anything else the server can read.
 */
export class MlflowAliasSource implements ModelSource {
  readonly description: string;
  private readonly base: string;
  private readonly locations = new Map<string, string>();
  private readonly name: string;
  private readonly alias: string;

  constructor(
    uri: string,
    trackingUri: string | undefined,
    private readonly cacheDir: string,
  ) {
    const parsed = parseAliasUri(uri);
    if (!parsed) throw new ModelSourceError(`'${uri}' is not a models:/<name>@<alias> reference`);
    if (!trackingUri || !/^https?:\/\//.test(trackingUri)) {
      throw new ModelSourceError(
        `model source '${uri}' needs MLFLOW_TRACKING_URI set to the tracking server's http(s) URL, got '${trackingUri ?? ""}'`,
      );
    }
    this.name = parsed.name;
    this.alias = parsed.alias;
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

  async latest(): Promise<string> {
    const q = new URLSearchParams({ name: this.name, alias: this.alias });
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

  async fetch(version: string): Promise<string> {
    const file = path.join(this.cacheDir, "mlflow", this.name, version, "model.onnx");
    const location = (await this.location(version)) ?? "";
    if (location.startsWith("s3://")) {
      const { bucket, prefix } = parseS3Uri(location);
      return downloadS3(s3ClientFromEnv(), bucket, `${prefix}/model.onnx`, file);
    }
    let res: Response;
    if (location.startsWith("mlflow-artifacts:")) {
      // mlflow-artifacts:/<path> or mlflow-artifacts://<host>/<path>: the path is relative to the proxy root.
      const rel = location.replace(/^mlflow-artifacts:(\/\/[^/]*)?\/?/, "").replace(/\/+$/, "");
      const onnx = await this.findOnnx(rel);
      res = await this.get(`/api/2.0/mlflow-artifacts/artifacts/${encodePath(`${rel}/${onnx}`)}`);
    } else {
      const q = new URLSearchParams({ name: this.name, version, path: "model.onnx" });
      res = await this.get(`/model-versions/get-artifact?${q}`);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.part`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return file;
  }

  /** `model.onnx` when present, else the only `.onnx` file of the model directory. */
  private async findOnnx(rel: string): Promise<string> {
    const res = await this.get(`/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path: rel })}`);
    const files = ((await res.json()) as { files?: { path: string; is_dir?: boolean }[] }).files ?? [];
    const names = files.filter((f) => !f.is_dir).map((f) => path.posix.basename(f.path));
    if (names.includes("model.onnx")) return "model.onnx";
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
