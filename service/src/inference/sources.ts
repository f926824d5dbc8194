import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { VersionProfile } from "../contracts";
import {
  highestVersion,
  MAX_PROFILE_BYTES,
  MODEL_FILE,
  missingProfile,
  PROFILE_FILE,
  profileFromBytes,
  tooLarge,
  unreadableProfile,
} from "./layout";

/** One version as a source delivers it: the ONNX file and the drift profile stored next to it. */
export interface FetchedVersion {
  /** Local path of the version's model.onnx (downloaded into the cache when remote). */
  readonly file: string;
  /** The profile, or why there is none; fetching it never fails the load. */
  readonly profile: VersionProfile;
}

/** Where a served model's versions come from. */
export interface ModelSource {
  /** Printable description (never contains credentials). */
  readonly description: string;
  /** The version the source points at now. */
  latest(): Promise<string>;
  /** The version's model file (downloaded when remote) and its drift profile. */
  fetch(version: string): Promise<FetchedVersion>;
}

export class ModelSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelSourceError";
  }
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

  async fetch(version: string): Promise<FetchedVersion> {
    const dir = path.join(this.dir, this.name, version);
    return {
      file: path.join(dir, MODEL_FILE),
      profile: await readLocalProfile(path.join(dir, PROFILE_FILE)),
    };
  }
}

async function readLocalProfile(file: string): Promise<VersionProfile> {
  try {
    const { size } = await stat(file);
    if (size > MAX_PROFILE_BYTES) return tooLarge(file, size);
    return profileFromBytes(await readFile(file), file);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT"
      ? missingProfile(file)
      : unreadableProfile(file, err);
  }
}

/** Writes atomically so a concurrent reader never sees a half-written model. */
export async function writeCached(file: string, bytes: Uint8Array): Promise<string> {
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

/** The profile at s3://bucket/key; a missing object is "missing", any other failure "unreadable". */
export async function fetchS3Profile(client: S3Client, bucket: string, key: string): Promise<VersionProfile> {
  const location = `s3://${bucket}/${key}`;
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if ((r.ContentLength ?? 0) > MAX_PROFILE_BYTES) {
      await (r.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return tooLarge(location, r.ContentLength as number);
    }
    const bytes = await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    return profileFromBytes(bytes, location);
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404
      ? missingProfile(location)
      : unreadableProfile(location, err);
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

  async fetch(version: string): Promise<FetchedVersion> {
    const file = path.join(this.cacheDir, "s3", this.bucket, this.root, version, MODEL_FILE);
    const [local, profile] = await Promise.all([
      downloadS3(this.client, this.bucket, `${this.root}${version}/${MODEL_FILE}`, file),
      fetchS3Profile(this.client, this.bucket, `${this.root}${version}/${PROFILE_FILE}`),
    ]);
    return { file: local, profile };
  }
}
