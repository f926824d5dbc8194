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
function features(inputs: readonly Tensor[]): Record<string, (number | string)[]> {
  const out: Record<string, (number | string)[]> = {};
  for (const t of inputs) {
    const rows = t.shape[0] ?? 1;
    const values: (number | string)[] =
      t.datatype === "BYTES" ? (t.data as readonly unknown[]).map((x) => String(x)) : numbers(t.data);
    const width = rows > 0 ? values.length / rows : 0;
    if (width === 1) out[t.name] = values;
    else {
      for (let j = 0; j < width; j++) out[`${t.name}[${j}]`] = values.filter((_, i) => i % width === j);
    }
  }
  return out;
}

/** Positive-class score per row: column 1 of an [N,2] probability tensor, or the tensor itself if [N]/[N,1]. */
function scores(t: Tensor | undefined): number[] {
  if (t === undefined) return [];
  const all = numbers(t.data);
  const width = t.shape.length > 1 ? (t.shape[1] as number) : 1;
  if (width <= 1) return all;
  return all.filter((_, i) => i % width === width - 1);
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

/** Hands the event to every sink after the response is written; a failing sink is logged, never rethrown. */
export function dispatchEvent(
  sinks: readonly PredictionSink[],
  make: () => PredictionEvent,
  onError: (err: unknown) => void,
): void {
  if (sinks.length === 0) return;
  setImmediate(() => {
    let event: PredictionEvent;
    try {
      event = make();
    } catch (err) {
      onError(err);
      return;
    }
    for (const sink of sinks) {
      try {
        sink.record(event);
      } catch (err) {
        onError(err);
      }
    }
  });
}
