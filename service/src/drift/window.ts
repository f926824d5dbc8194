/** Ring buffers holding the current window of live values, laid out after a reference profile. */
import { interiorEdges } from "./evaluate";
import type { CategoricalProfile, DriftProfile, NumericProfile } from "./profile";

/** Feature name used for the model's positive-class score in status, gauges and events. */
export const PREDICTION_FEATURE = "__prediction__";

/** Column order derived from a profile: numeric features, then the score; categorical features apart. */
export interface Layout {
  readonly profile: DriftProfile;
  readonly numericNames: readonly string[];
  readonly numericProfiles: readonly NumericProfile[];
  readonly interiors: readonly Float64Array[];
  readonly categoricalNames: readonly string[];
  readonly categoricalProfiles: readonly CategoricalProfile[];
  /** Category value to its index in the profile's key order, per categorical feature. */
  readonly codes: readonly ReadonlyMap<string, number>[];
}

export function layoutOf(profile: DriftProfile): Layout {
  const numericNames: string[] = [];
  const numericProfiles: NumericProfile[] = [];
  const categoricalNames: string[] = [];
  const categoricalProfiles: CategoricalProfile[] = [];
  const codes: Map<string, number>[] = [];
  for (const [name, f] of Object.entries(profile.features)) {
    if (f.type === "numeric") {
      numericNames.push(name);
      numericProfiles.push(f);
    } else {
      categoricalNames.push(name);
      categoricalProfiles.push(f);
      codes.push(new Map(Object.keys(f.frequencies).map((c, i) => [c, i])));
    }
  }
  numericNames.push(PREDICTION_FEATURE);
  numericProfiles.push(profile.prediction);
  return {
    profile,
    numericNames,
    numericProfiles,
    interiors: numericProfiles.map(interiorEdges),
    categoricalNames,
    categoricalProfiles,
    codes,
  };
}

export interface WindowSnapshot {
  readonly layout: Layout;
  readonly numeric: readonly Float64Array[];
  /** Category codes; -1 marks a value the reference never saw. */
  readonly categorical: readonly Int32Array[];
  readonly rows: number;
}

export class RingBuffers {
  private numeric: Float64Array[];
  private categorical: Int32Array[];
  private pos = 0;
  filled = 0;

  constructor(
    readonly layout: Layout,
    readonly size: number,
  ) {
    this.numeric = layout.numericNames.map(() => new Float64Array(size));
    this.categorical = layout.categoricalNames.map(() => new Int32Array(size));
  }

  /** Rows that still fit before the buffer wraps around (and, tumbling, before the window is full). */
  get room(): number {
    return this.size - this.pos;
  }

  /**
   * Writes rows [from, from + count) of the given columns (numeric ones in layout order, the score last; then
   * categorical codes), column by column; `count` must not exceed `room`. Returns true when the write completed
   * a full cycle of the buffer.
   */
  appendRows(
    numericCols: readonly ArrayLike<number | string>[],
    catCodes: readonly Int32Array[],
    from: number,
    count: number,
  ): boolean {
    const p = this.pos;
    if (count > this.size - p)
      throw new RangeError(`appendRows: ${count} rows do not fit in ${this.size - p}`);
    for (let f = 0; f < numericCols.length; f++) {
      const src = numericCols[f] as ArrayLike<number | string>;
      const dst = this.numeric[f] as Float64Array;
      for (let i = 0; i < count; i++) dst[p + i] = Math.fround(Number(src[from + i]));
    }
    for (let f = 0; f < catCodes.length; f++) {
      (this.categorical[f] as Int32Array).set((catCodes[f] as Int32Array).subarray(from, from + count), p);
    }
    this.pos = (p + count) % this.size;
    this.filled = Math.min(this.size, this.filled + count);
    return this.pos === 0;
  }

  /** A copy of the filled part; order inside a window does not matter to any statistic. */
  snapshot(): WindowSnapshot {
    const n = this.filled;
    return {
      layout: this.layout,
      numeric: this.numeric.map((col) => col.slice(0, n)),
      categorical: this.categorical.map((col) => col.slice(0, n)),
      rows: n,
    };
  }

  /** Hands over the full buffers without copying and starts empty ones (tumbling windows). */
  takeFull(): WindowSnapshot {
    const out = {
      layout: this.layout,
      numeric: this.numeric,
      categorical: this.categorical,
      rows: this.size,
    };
    this.numeric = this.layout.numericNames.map(() => new Float64Array(this.size));
    this.categorical = this.layout.categoricalNames.map(() => new Int32Array(this.size));
    this.pos = 0;
    this.filled = 0;
    return out;
  }

  /** Empties the window, keeping the buffers (a dropped tumbling window). */
  clear(): void {
    this.pos = 0;
    this.filled = 0;
  }
}
