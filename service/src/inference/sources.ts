import { mkdir, readdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

/** Where a served model's versions come from. */
export interface ModelSource {
  /** Printable description (never contains credentials). */
  readonly description: string;
  /** The version the source points at now. */
  latest(): Promise<string>;
  /** A local path to the version's model.onnx, downloading it into the cache when remote. */
  fetch(version: string): Promise<string>;
}

export class ModelSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelSourceError";
  }
}

const MODEL_FILE = "model.onnx";

/** Numeric versions sort numerically; others after them, lexically. */
function highestVersion(versions: readonly string[]): string | undefined {
  const score = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NEGATIVE_INFINITY);
  return [...versions].sort((a, b) => score(a) - score(b) || a.localeCompare(b)).at(-1);
}

export class LocalSource implements ModelSource {
  readonly description: string;
  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {
    this.description = `local:${path.join(dir, name)}`;
  }

  async latest(): Promise<string> {
    const root = path.join(this.dir, this.name);
    let entries: string[];
    try {
      entries = await readdir(root);
    } catch {
      throw new ModelSourceError(`model directory ${root} does not exist`);
    }
    const versions: string[] = [];
    for (const v of entries) {
      const ok = await stat(path.join(root, v, MODEL_FILE)).then(
        (s) => s.isFile(),
        () => false,
      );
      if (ok) versions.push(v);
    }
    const v = highestVersion(versions);
    if (!v) throw new ModelSourceError(`no <version>/${MODEL_FILE} under ${root}`);
    return v;
  }

  async fetch(version: string): Promise<string> {
    return path.join(this.dir, this.name, version, MODEL_FILE);
  }
}

/** Writes atomically so a concurrent reader never sees a half-written model. */
async function writeCached(file: string, bytes: Uint8Array): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.part`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return file;
}

export function s3ClientFromEnv(): S3Client {
  // The SDK reads AWS_ENDPOINT_URL(_S3) itself too; reading it here also lets us force path-style
  // addressing, which S3-compatible endpoints on an IP address (moto, MinIO) need.
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
}

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new ModelSourceError(`'${uri}' is not an s3://bucket/prefix URI`);
  return { bucket: m[1] as string, prefix: (m[2] as string).replace(/\/+$/, "") };
}

export async function downloadS3(
  client: S3Client,
  bucket: string,
  key: string,
  file: string,
): Promise<string> {
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    return await writeCached(file, bytes);
  } catch (err) {
    throw new ModelSourceError(`cannot download s3://${bucket}/${key}: ${(err as Error).message}`);
  }
}

export class S3Source implements ModelSource {
  readonly description: string;
  private readonly bucket: string;
  private readonly root: string;
  constructor(
    uri: string,
    name: string,
    private readonly cacheDir: string,
    private readonly client: S3Client = s3ClientFromEnv(),
  ) {
    const { bucket, prefix } = parseS3Uri(uri);
    this.bucket = bucket;
    this.root = prefix === "" ? `${name}/` : `${prefix}/${name}/`;
    this.description = `s3://${bucket}/${this.root}`;
  }

  async latest(): Promise<string> {
    const versions: string[] = [];
    let token: string | undefined;
    try {
      // Bounded: a model prefix with more than 100 pages of objects is not a model repository.
      for (let page = 0; page < 100; page++) {
        const r = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.root, ContinuationToken: token }),
        );
        for (const o of r.Contents ?? []) {
          const rest = (o.Key ?? "").slice(this.root.length).split("/");
          if (rest.length === 2 && rest[1] === MODEL_FILE) versions.push(rest[0] as string);
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
        if (!token) break;
      }
    } catch (err) {
      throw new ModelSourceError(`cannot list ${this.description}: ${(err as Error).message}`);
    }
    const v = highestVersion(versions);
    if (!v) throw new ModelSourceError(`no <version>/${MODEL_FILE} under ${this.description}`);
    return v;
  }

  fetch(version: string): Promise<string> {
    const file = path.join(this.cacheDir, "s3", this.bucket, this.root, version, MODEL_FILE);
    return downloadS3(this.client, this.bucket, `${this.root}${version}/${MODEL_FILE}`, file);
  }
}
