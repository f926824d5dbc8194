import { mkdtemp, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  type InferenceEngine,
  type InferenceRequest,
  type InferenceResult,
  InvalidInputError,
  type LoadedModelVersion,
  type LoadedVersions,
  type ModelMetadata,
  ModelNotFoundError,
  ModelNotReadyError,
  type ModelState,
  type RepositoryEntry,
} from "../contracts";
import { createMetrics, type EngineMetrics } from "./metrics";
import { MlflowAliasSource, parseAliasUri } from "./mlflow";
import type { EngineOptions, ModelSourceConfig, ResolvedOptions } from "./options";
import { resolveOptions } from "./options";
import { PoolWorker } from "./pool";
import { type LoadedVersion, newLoadedVersion, Scheduler } from "./scheduler";
import { LocalSource, type ModelSource, S3Source } from "./sources";
import { toTensorMetadata, validateInputs } from "./tensors";

const MAX_RESPAWNS = 10;
const UNLOADED = "unloaded";

interface ModelEntry {
  readonly name: string;
  readonly source: ModelSource;
  state: ModelState;
  reason: string | undefined;
  /** The version new requests are routed to. */
  current: LoadedVersion | undefined;
  /** Every version still loaded in the workers, including ones draining after a swap. */
  readonly loaded: Set<LoadedVersion>;
  /** Serialises load / unload / swap of this model. */
  chain: Promise<void>;
}

function sourceFor(cfg: ModelSourceConfig, opts: ResolvedOptions, cacheDir: string): ModelSource {
  if (cfg.source.startsWith("s3://")) return new S3Source(cfg.source, cfg.name, cacheDir);
  if (parseAliasUri(cfg.source)) return new MlflowAliasSource(cfg.source, opts.mlflowTrackingUri, cacheDir);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(cfg.source) || cfg.source.startsWith("models:/")) {
    throw new TypeError(
      `model '${cfg.name}' source '${cfg.source}' is not supported; expected a directory, s3://bucket/prefix, models:/<name>@<alias> or models:/<name>/<version>`,
    );
  }
  return new LocalSource(path.resolve(cfg.source), cfg.name);
}

class Engine implements InferenceEngine, LoadedVersions {
  private readonly models = new Map<string, ModelEntry>();
  private readonly metrics: EngineMetrics;
  private readonly scheduler: Scheduler;
  private closed = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private loadSeq = 0;
  private respawns = 0;

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly workers: PoolWorker[],
    sources: ReadonlyMap<string, ModelSource>,
  ) {
    this.metrics = createMetrics(opts.registry);
    this.scheduler = new Scheduler(workers, opts, this.metrics);
    for (const cfg of opts.models) this.addEntry(cfg.name, sources.get(cfg.name) as ModelSource);
  }

  private addEntry(name: string, source: ModelSource): ModelEntry {
    const entry: ModelEntry = {
      name,
      source,
      state: "UNAVAILABLE",
      reason: undefined,
      current: undefined,
      loaded: new Set(),
      chain: Promise.resolve(),
    };
    this.models.set(name, entry);
    return entry;
  }

  /**
   * Explicit model control: the entry for a model that is not configured, when its directory exists in the
   * explicit repository (undefined otherwise). Names are the configured-name pattern, so no path escapes it.
   */
  private async discover(model: string): Promise<ModelEntry | undefined> {
    const root = this.opts.explicitRepository;
    if (root === undefined || !/^[A-Za-z0-9_.-]+$/.test(model) || model.startsWith(".")) return undefined;
    const isDir = await stat(path.join(root, model)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) return undefined;
    // A concurrent load of the same name may have added it while we looked.
    return this.models.get(model) ?? this.addEntry(model, new LocalSource(path.resolve(root), model));
  }

  async start(): Promise<void> {
    this.metrics.workers.set(this.workers.length);
    await Promise.all([...this.models.keys()].map((name) => this.load(name).catch(() => undefined)));
    this.schedulePoll();
  }

  metadata(model: string, version?: string): ModelMetadata | undefined {
    const entry = this.models.get(model);
    const lv = entry && this.route(entry, version);
    if (!entry || !lv) return undefined;
    return {
      name: model,
      versions: this.routableVersions(entry),
      platform: "onnxruntime_onnx",
      inputs: lv.inputs,
      outputs: lv.outputs,
    };
  }

  isReady(model: string, version?: string): boolean {
    const entry = this.models.get(model);
    return !this.closed && entry?.state === "READY" && this.route(entry, version) !== undefined;
  }

  ready(): boolean {
    if (this.opts.explicitRepository !== undefined) return !this.closed;
    return !this.closed && [...this.models.values()].every((e) => e.state === "READY");
  }

  infer(request: InferenceRequest): Promise<InferenceResult> {
    const entry = this.models.get(request.model);
    if (!entry) return Promise.reject(new ModelNotFoundError(request.model));
    if (this.closed || entry.state !== "READY" || !entry.current) {
      return Promise.reject(new ModelNotReadyError(request.model));
    }
    const lv = this.route(entry, request.version);
    if (!lv) return Promise.reject(new ModelNotFoundError(request.model, request.version));
    try {
      const rows =
        request.validatedAgainst === lv.inputs
          ? (request.inputs[0]?.shape[0] ?? 1)
          : validateInputs(request.model, lv.inputs, request.inputs, lv.batchable);
      const outputs = request.outputs && request.outputs.length > 0 ? [...request.outputs] : undefined;
      for (const [i, name] of (outputs ?? []).entries()) {
        if (outputs?.indexOf(name) !== i)
          throw new InvalidInputError(`output '${name}' is requested more than once`);
        if (!lv.outputs.some((o) => o.name === name)) {
          throw new InvalidInputError(
            `unknown output '${name}' for model '${request.model}'; outputs: ${lv.outputs.map((o) => o.name).join(", ")}`,
          );
        }
      }
      return new Promise((resolve, reject) => {
        this.scheduler.enqueue(lv, {
          inputs: request.inputs,
          outputs,
          rows,
          resolve: (tensors) => resolve({ model: request.model, version: lv.version, outputs: tensors }),
          reject,
        });
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  loadedVersion(model: string, version?: string): LoadedModelVersion | undefined {
    const entry = this.models.get(model);
    if (entry === undefined) return undefined;
    if (version === undefined || entry.current?.version === version) return entry.current?.info;
    for (const lv of entry.loaded) if (lv.version === version) return lv.info;
    return undefined;
  }

  repositoryIndex(): readonly RepositoryEntry[] {
    return [...this.models.values()].map((e) => ({
      name: e.name,
      ...(e.current ? { version: e.current.version } : {}),
      state: e.state,
      ...(e.reason ? { reason: e.reason } : {}),
    }));
  }

  /** Loads the source's current version; on a loaded model, swaps to a newer version if there is one. */
  load(model: string): Promise<void> {
    const entry = this.models.get(model);
    if (!entry) {
      return this.discover(model).then((found) =>
        found ? this.loadEntry(found) : Promise.reject(new ModelNotFoundError(model)),
      );
    }
    return this.loadEntry(entry);
  }

  private loadEntry(entry: ModelEntry): Promise<void> {
    const model = entry.name;
    if (this.closed) return Promise.reject(new ModelNotReadyError(model));
    return this.serial(entry, async () => {
      const wasReady = entry.state === "READY";
      if (!wasReady) entry.state = "LOADING";
      try {
        const version = await entry.source.latest();
        if (entry.current?.version !== version) await this.swapTo(entry, version);
        entry.state = "READY";
        entry.reason = undefined;
      } catch (err) {
        const reason = (err as Error).message;
        this.opts.logger.error({ model, source: entry.source.description, reason }, "model load failed");
        if (!wasReady) {
          entry.state = "UNAVAILABLE";
          entry.reason = reason;
        }
        throw err;
      }
    });
  }

  /** Stops routing to the model, lets queued and running requests finish, then frees its sessions. */
  unload(model: string): Promise<void> {
    const entry = this.models.get(model);
    if (!entry) return Promise.reject(new ModelNotFoundError(model));
    // Stop routing now, not when earlier operations on the model finish; the serial step repeats it in case
    // a load completed in between.
    const stopRouting = () => {
      const old = entry.current;
      entry.state = "UNLOADING";
      entry.current = undefined;
      if (old)
        this.metrics.versionInfo.remove({ model, version: old.version, source: entry.source.description });
    };
    stopRouting();
    return this.serial(entry, async () => {
      stopRouting();
      await Promise.all([...entry.loaded].map((lv) => this.retire(entry, lv)));
      entry.state = "UNAVAILABLE";
      entry.reason = UNLOADED;
      this.opts.logger.info({ model }, "model unloaded");
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.pollTimer);
    this.scheduler.flush();
    await Promise.all(
      [...this.models.values()].map((e) =>
        e.chain.then(() => Promise.all([...e.loaded].map((lv) => this.scheduler.drained(lv)))),
      ),
    );
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private route(entry: ModelEntry, version: string | undefined): LoadedVersion | undefined {
    if (version === undefined || version === "") return entry.current;
    return entry.current?.version === version ? entry.current : undefined;
  }

  private routableVersions(entry: ModelEntry): string[] {
    return entry.current ? [entry.current.version] : [];
  }

  private serial(entry: ModelEntry, op: () => Promise<void>): Promise<void> {
    const run = entry.chain.then(op);
    entry.chain = run.catch(() => undefined);
    return run;
  }

  /** Warm the version in every worker, switch routing to it, then drain and free the previous one. */
  private async swapTo(entry: ModelEntry, version: string): Promise<void> {
    const { logger } = this.opts;
    const { file, profile } = await entry.source.fetch(version);
    const key = `${entry.name}@${version}#${++this.loadSeq}`;
    const results = await Promise.allSettled(
      this.workers.map((w) => w.load(key, file, this.opts.intraOpNumThreads)),
    );
    const failed = results.find((r) => r.status === "rejected");
    if (failed) {
      this.metrics.loads.inc({ model: entry.name, result: "failure" });
      await Promise.allSettled(this.workers.map((w) => w.release(key)));
      throw new Error(`cannot load ${entry.name} version ${version}: ${(failed.reason as Error).message}`);
    }
    const meta = (results[0] as PromiseFulfilledResult<Awaited<ReturnType<PoolWorker["load"]>>>).value;
    const lv = newLoadedVersion({
      model: entry.name,
      version,
      key,
      file,
      inputs: meta.inputs.map(toTensorMetadata),
      outputs: meta.outputs.map(toTensorMetadata),
      info: { model: entry.name, version, source: entry.source.description, profile },
    });
    this.metrics.loads.inc({ model: entry.name, result: "success" });
    const old = entry.current;
    entry.loaded.add(lv);
    entry.current = lv;
    const source = entry.source.description;
    if (old) {
      this.metrics.versionInfo.remove({ model: entry.name, version: old.version, source });
      this.metrics.swaps.inc({ model: entry.name });
    }
    this.metrics.versionInfo.set({ model: entry.name, version, source }, 1);
    logger.info(
      {
        model: entry.name,
        version,
        previous: old?.version,
        source,
        profile: profile.location,
        profileState: profile.state,
      },
      "model version serving",
    );
    if (old) await this.retire(entry, old);
  }

  private async retire(entry: ModelEntry, lv: LoadedVersion): Promise<void> {
    await this.scheduler.drained(lv);
    entry.loaded.delete(lv);
    await Promise.allSettled(this.workers.map((w) => w.release(lv.key)));
  }

  /**
   * Replaces a dead worker and loads every live version into it before it takes batches. Bounded: after
   * MAX_RESPAWNS deaths the slot stays empty and the engine runs on the remaining workers.
   */
  respawn(dead: PoolWorker): void {
    const i = this.workers.indexOf(dead);
    if (this.closed || i < 0) return;
    if (++this.respawns > MAX_RESPAWNS) {
      this.opts.logger.error(
        { worker: i, respawns: this.respawns },
        "inference worker died too often; not respawned",
      );
      return;
    }
    this.opts.logger.warn({ worker: i }, "inference worker died; respawning it");
    const fresh = new PoolWorker(i, this.opts.logger, (w) => this.respawn(w));
    fresh.inFlight = 1; // keeps the scheduler away until its sessions exist
    this.workers[i] = fresh;
    const versions = [...this.models.values()].flatMap((e) => [...e.loaded]);
    void Promise.allSettled(
      versions.map((lv) => fresh.load(lv.key, lv.file, this.opts.intraOpNumThreads)),
    ).then((results) => {
      const failed = results.filter((r) => r.status === "rejected").length;
      if (failed > 0)
        this.opts.logger.error({ worker: i, failed }, "respawned worker could not load every version");
      fresh.inFlight = 0;
      this.scheduler.pump();
    });
  }

  private schedulePoll(): void {
    if (this.opts.pollIntervalMs === 0 || this.closed) return;
    this.pollTimer = setTimeout(() => {
      void this.pollOnce().finally(() => this.schedulePoll());
    }, this.opts.pollIntervalMs);
    this.pollTimer.unref();
  }

  private async pollOnce(): Promise<void> {
    for (const entry of this.models.values()) {
      if (this.closed) return;
      // A model that failed to load (source down, alias not set yet) is retried; an unloaded one is not.
      if (entry.state === "UNAVAILABLE" && entry.reason !== UNLOADED) {
        await this.load(entry.name).catch(() => undefined);
        continue;
      }
      if (entry.state !== "READY") continue;
      try {
        const version = await entry.source.latest();
        if (version !== entry.current?.version && entry.state === "READY") await this.load(entry.name);
      } catch (err) {
        this.opts.logger.warn(
          { model: entry.name, source: entry.source.description, err: (err as Error).message },
          "model source poll failed; still serving the current version",
        );
      }
    }
  }
}

/**
 * Starts the worker pool and loads every configured model. Resolves once each model has loaded or failed
 * (a failed model is UNAVAILABLE with a reason in `repositoryIndex()`, and `ready()` stays false).
 */
export async function createEngine(options: EngineOptions): Promise<InferenceEngine & LoadedVersions> {
  const opts = resolveOptions(options);
  const cacheDir = opts.cacheDir ?? (await mkdtemp(path.join(os.tmpdir(), "inference-models-")));
  // Sources first: a bad source option throws before any worker thread exists.
  const sources = new Map(opts.models.map((cfg) => [cfg.name, sourceFor(cfg, opts, cacheDir)] as const));
  const workers: PoolWorker[] = [];
  const engine = new Engine(opts, workers, sources);
  for (let i = 0; i < opts.workers; i++)
    workers.push(new PoolWorker(i, opts.logger, (w) => engine.respawn(w)));
  await engine.start();
  return engine;
}
