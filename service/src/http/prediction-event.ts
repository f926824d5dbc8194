/** Builds the PredictionEvent handed to drift and feedback sinks after a successful inference. */
import type { InferenceResult, PredictionEvent, PredictionSink, Tensor } from "../contracts";

export interface EventOptions {
  readonly scoreOutput: string;
  readonly labelOutput: string;
}

function numbers(data: Tensor["data"]): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i] as number | bigint | boolean);
  return out;
}

/** Feature name to one value per row; a [N,k] input with k > 1 becomes features `name[0]`..`name[k-1]`. */
function features(inputs: readonly Tensor[]): Record<string, readonly (number | string)[]> {
  const out: Record<string, readonly (number | string)[]> = {};
  for (const t of inputs) {
    const rows = t.shape[0] ?? 1;
    // Decoded BYTES inputs are already string arrays; they are shared, not copied.
    const values: readonly (number | string)[] =
      t.datatype === "BYTES" ? (t.data as readonly string[]) : numbers(t.data);
    const width = rows > 0 ? values.length / rows : 0;
    if (width === 1) out[t.name] = values;
    else {
      for (let j = 0; j < width; j++) out[`${t.name}[${j}]`] = values.filter((_, i) => i % width === j);
    }
  }
  return out;
}

/** Positive-class score per row: the last column of an [N,k] probability tensor, or the tensor itself if [N]/[N,1]. */
function scores(t: Tensor | undefined): number[] {
  if (t === undefined) return [];
  const width = t.shape.length > 1 ? (t.shape[1] as number) : 1;
  if (width <= 1) return numbers(t.data);
  const rows = Math.floor(t.data.length / width);
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) out[r] = Number(t.data[r * width + width - 1] as number);
  return out;
}

export function buildEvent(
  requestId: string,
  inputs: readonly Tensor[],
  result: InferenceResult,
  options: EventOptions,
): PredictionEvent {
  const byName = (n: string) => result.outputs.find((o) => o.name === n);
  const label = byName(options.labelOutput);
  return {
    requestId,
    model: result.model,
    version: result.version,
    timestamp: Date.now(),
    features: features(inputs),
    scores: scores(byName(options.scoreOutput)),
    labels: label === undefined ? [] : numbers(label.data),
  };
}

/**
 * Hands events to every sink after the responses are written: events queue up and one setImmediate per event-loop
 * turn builds and delivers all of them, so the per-request cost stays a push. A failing sink is logged, never
 * rethrown.
 */
export class EventDispatcher {
  private pending: (() => PredictionEvent)[] = [];
  private scheduled = false;

  constructor(
    private readonly sinks: readonly PredictionSink[],
    private readonly onError: (err: unknown) => void,
  ) {}

  dispatch(make: () => PredictionEvent): void {
    if (this.sinks.length === 0) return;
    this.pending.push(make);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (const make of batch) {
      let event: PredictionEvent;
      try {
        event = make();
      } catch (err) {
        this.onError(err);
        continue;
      }
      for (const sink of this.sinks) {
        try {
          sink.record(event);
        } catch (err) {
          this.onError(err);
        }
      }
    }
  }
}
