/** Builds the PredictionEvent handed to drift and feedback sinks after a successful inference. */
import type { FeatureColumn, InferenceResult, PredictionEvent, PredictionSink, Tensor } from "../contracts";

export interface EventOptions {
  readonly scoreOutput: string;
  readonly labelOutput: string;
}

function numbers(data: Tensor["data"]): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i] as number | bigint | boolean);
  return out;
}

/** Number-valued typed arrays can be handed on as they are; 64-bit integer ones hold bigints. */
function isNumberArray(
  data: Tensor["data"],
): data is Exclude<Tensor["data"], BigInt64Array | BigUint64Array> {
  return ArrayBuffer.isView(data) && !(data instanceof BigInt64Array || data instanceof BigUint64Array);
}

/** Feature name to one value per row; a [N,k] input with k > 1 becomes features `name[0]`..`name[k-1]`. */
function features(inputs: readonly Tensor[]): Record<string, FeatureColumn> {
  const out: Record<string, FeatureColumn> = {};
  for (const t of inputs) {
    const rows = t.shape[0] ?? 1;
    // BYTES inputs (string arrays) and number typed arrays are shared, not copied.
    const values: FeatureColumn =
      t.datatype === "BYTES"
        ? (t.data as readonly string[])
        : isNumberArray(t.data)
          ? (t.data as ArrayLike<number>)
          : numbers(t.data);
    const width = rows > 0 ? values.length / rows : 0;
    if (width === 1) out[t.name] = values;
    else {
      for (let j = 0; j < width; j++) {
        const column = new Array<number | string>(rows);
        for (let r = 0; r < rows; r++) column[r] = values[r * width + j] as number | string;
        out[`${t.name}[${j}]`] = column;
      }
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

function outputNamed(result: InferenceResult, name: string): Tensor | undefined {
  for (const o of result.outputs) if (o.name === name) return o;
  return undefined;
}

export function buildEvent(
  requestId: string,
  inputs: readonly Tensor[],
  result: InferenceResult,
  options: EventOptions,
): PredictionEvent {
  const label = outputNamed(result, options.labelOutput);
  return {
    requestId,
    model: result.model,
    version: result.version,
    timestamp: Date.now(),
    features: features(inputs),
    scores: scores(outputNamed(result, options.scoreOutput)),
    labels: label === undefined ? [] : numbers(label.data),
  };
}

/**
 * Hands events to every sink after the responses are written: requests queue up and one setImmediate per
 * event-loop turn builds and delivers all their events, so the per-request cost stays three pushes (no closure
 * per request). A failing sink is logged, never rethrown.
 */
export class EventDispatcher {
  private ids: string[] = [];
  private inputs: (readonly Tensor[])[] = [];
  private results: InferenceResult[] = [];
  private scheduled = false;
  private readonly flushNow = () => this.flush();

  constructor(
    private readonly sinks: readonly PredictionSink[],
    private readonly options: EventOptions,
    private readonly onError: (err: unknown) => void,
  ) {}

  dispatch(requestId: string, inputs: readonly Tensor[], result: InferenceResult): void {
    if (this.sinks.length === 0) return;
    this.ids.push(requestId);
    this.inputs.push(inputs);
    this.results.push(result);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushNow);
  }

  /**
   * Delivers every pending event now. The server calls it while closing, so predictions answered in the last
   * event-loop turn reach the sinks before they are stopped.
   */
  drain(): void {
    this.flush();
  }

  private flush(): void {
    const { ids, inputs, results } = this;
    this.ids = [];
    this.inputs = [];
    this.results = [];
    this.scheduled = false;
    for (let i = 0; i < ids.length; i++) {
      let event: PredictionEvent;
      try {
        event = buildEvent(
          ids[i] as string,
          inputs[i] as Tensor[],
          results[i] as InferenceResult,
          this.options,
        );
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
