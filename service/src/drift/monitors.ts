/**
 * DriftMonitors: one DriftMonitor per served model, following the engine's versions. Each version is compared
 * with the profile that came with it from its source (local directory, S3 or MLflow); a version without a
 * usable profile is served unmonitored, with the reason in the status, a warning and `drift_monitored 0`.
 */
import type { Registry } from "prom-client";
import type {
  InferenceEngine,
  LoadedModelVersion,
  LoadedVersions,
  PredictionEvent,
  PredictionSink,
} from "../contracts";
import { type DriftMetrics, driftMetrics, forgetEvaluations } from "./metrics";
import { DriftMonitor } from "./monitor";
import type { DriftMonitorOptions, DriftStatus, DriftStatusEvent } from "./types";

/** What the monitors need from the engine (the real engine implements it). */
export type MonitoredEngine = Pick<InferenceEngine, "metadata" | "repositoryIndex"> & LoadedVersions;

export interface DriftLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Settings every model's DriftMonitor gets (window, schedule, thresholds). */
export type MonitorSettings = Omit<
  DriftMonitorOptions,
  "model" | "profile" | "registry" | "onStatusChange" | "onError"
>;

export interface DriftMonitorsOptions {
  readonly engine: MonitoredEngine;
  readonly registry: Registry;
  readonly logger: DriftLogger;
  readonly settings?: MonitorSettings;
  readonly onStatusChange?: (event: DriftStatusEvent) => void;
}

/** A served model whose version is compared with its profile. */
export type MonitoredStatus = DriftStatus & {
  readonly monitored: true;
  readonly version: string;
  readonly profileLocation: string;
};

/** A model served without drift monitoring, and why. */
export interface UnmonitoredStatus {
  readonly model: string;
  readonly monitored: false;
  /** The version serving, or null when none is. */
  readonly version: string | null;
  /** Where the profile was looked for, or null when no version is serving. */
  readonly profileLocation: string | null;
  readonly reason: string;
}

export type ModelDriftStatus = MonitoredStatus | UnmonitoredStatus;

interface Tracked {
  readonly version: string | null;
  readonly monitor: DriftMonitor | undefined;
  readonly profileLocation: string | null;
  readonly reason: string;
}

const PROBLEM = { missing: "missing", unreadable: "unreadable", invalid: "invalid" } as const;

export class DriftMonitors implements PredictionSink {
  private readonly models = new Map<string, Tracked>();
  private readonly metrics: DriftMetrics;
  private closed = false;

  constructor(private readonly options: DriftMonitorsOptions) {
    this.metrics = driftMetrics(options.registry);
    // Monitors (or the reason there are none) exist before the first prediction.
    this.sync();
  }

  /** Request path: one map lookup and a string compare unless the event's version is new here. */
  record(event: PredictionEvent): void {
    let tracked = this.models.get(event.model);
    if (tracked === undefined || tracked.version !== event.version) {
      // The first event of a swapped-in version switches to its profile. Events of a version no longer
      // serving (draining after a swap) are not mixed into the new version's window.
      const serving = this.options.engine.loadedVersion(event.model);
      if (this.closed || serving === undefined || serving.version !== event.version) {
        this.metrics.droppedEvents.inc({ model: event.model, reason: "version_not_serving" });
        return;
      }
      tracked = this.switchTo(serving);
    }
    tracked.monitor?.record(event);
  }

  /** Status of one model (undefined: not served) or of every model, after catching up with hot swaps. */
  status(model?: string): ModelDriftStatus | { models: Record<string, ModelDriftStatus> } | undefined {
    this.sync();
    if (model !== undefined) {
      const tracked = this.models.get(model);
      return tracked === undefined ? undefined : describe(model, tracked);
    }
    return { models: Object.fromEntries([...this.models].map(([name, t]) => [name, describe(name, t)])) };
  }

  /** The monitor of the version serving now, if it is monitored (tests and benchmarks). */
  monitor(model: string): DriftMonitor | undefined {
    this.sync();
    return this.models.get(model)?.monitor;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.models.values()].map((t) => t.monitor?.close()));
  }

  /** Follows every model's serving version: a swap, an unload or a load since the last look. */
  private sync(): void {
    if (this.closed) return;
    for (const entry of this.options.engine.repositoryIndex()) {
      const serving = this.options.engine.loadedVersion(entry.name);
      const tracked = this.models.get(entry.name);
      if (serving !== undefined) {
        if (tracked?.version !== serving.version) this.switchTo(serving);
        continue;
      }
      const reason = `no version is serving (model ${entry.state}${entry.reason ? `: ${entry.reason}` : ""})`;
      if (tracked?.monitor !== undefined) this.retire(entry.name, tracked);
      this.models.set(entry.name, { version: null, monitor: undefined, profileLocation: null, reason });
      this.metrics.monitored.set({ model: entry.name }, 0);
    }
  }

  private retire(model: string, tracked: Tracked): void {
    void tracked.monitor?.close();
    // The closed monitor publishes nothing more, so this cannot race with its last evaluation.
    void forgetEvaluations(this.metrics, model);
  }

  private switchTo(serving: LoadedModelVersion): Tracked {
    const { model, version, profile, source } = serving;
    const previous = this.models.get(model);
    if (previous !== undefined) this.retire(model, previous);
    let reason =
      profile.state === "found"
        ? this.featureMismatch(serving)
        : `drift profile ${PROBLEM[profile.state]}: ${profile.reason}`;
    let monitor: DriftMonitor | undefined;
    if (reason === undefined && profile.state === "found") {
      try {
        monitor = new DriftMonitor({
          ...this.options.settings,
          model,
          profile: profile.profile,
          registry: this.options.registry,
          onStatusChange: (e) => {
            this.options.logger.warn(
              { drift: e },
              e.drifted ? "feature drift detected" : "feature drift cleared",
            );
            this.options.onStatusChange?.(e);
          },
          onError: (err) => this.options.logger.warn({ err }, "drift evaluation failed"),
        });
      } catch (err) {
        reason = `drift profile invalid: cannot build a monitor from it (${(err as Error).message})`;
      }
    }
    const tracked: Tracked = {
      version,
      monitor,
      profileLocation: profile.location,
      reason: reason ?? "",
    };
    this.models.set(model, tracked);
    this.metrics.monitored.set({ model }, monitor === undefined ? 0 : 1);
    const fields = { model, version, source, profile: profile.location };
    if (monitor === undefined) {
      this.options.logger.warn(
        { ...fields, reason },
        `drift not monitored for model ${model} version ${version}: ${reason} (profile ${profile.location}); the model is still served`,
      );
    } else {
      this.options.logger.info(
        { ...fields, profileVersion: monitor.profile.version },
        `drift monitored for model ${model} version ${version} against ${profile.location}`,
      );
    }
    return tracked;
  }

  /** A profile whose features the model does not take would drop every event: say so instead. */
  private featureMismatch(serving: LoadedModelVersion): string | undefined {
    if (serving.profile.state !== "found") return undefined;
    const inputs = this.options.engine.metadata(serving.model, serving.version)?.inputs;
    if (inputs === undefined) return undefined;
    const names = new Set(inputs.map((i) => i.name));
    const absent = Object.keys(serving.profile.profile.features).filter((f) => !names.has(f));
    if (absent.length === 0) return undefined;
    return (
      `drift profile invalid: features ${absent.join(", ")} are not inputs of the model ` +
      `(inputs: ${[...names].join(", ")})`
    );
  }
}

function describe(model: string, t: Tracked): ModelDriftStatus {
  if (t.monitor !== undefined) {
    return {
      ...t.monitor.status(),
      monitored: true,
      version: t.version as string,
      profileLocation: t.profileLocation as string,
    };
  }
  return {
    model,
    monitored: false,
    version: t.version,
    profileLocation: t.profileLocation,
    reason: t.reason,
  };
}
