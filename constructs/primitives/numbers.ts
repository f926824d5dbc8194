import { z } from "zod";

/**
 * An integer within bounds, with messages that name the field (the config's issue formatter adds the path and
 * quotes the value: `got 0; replicas must be at least 1`).
 */
export function boundedInt(field: string, min: number, max?: number, why: BoundReasons = {}) {
  const int = z
    .int({ error: `expected an integer ${field}` })
    .min(min, { error: `${field} must be at least ${min}${why.min ? ` (${why.min})` : ""}` });
  return max === undefined
    ? int
    : int.max(max, { error: `${field} must be at most ${max}${why.max ? ` (${why.max})` : ""}` });
}

/** Why a bound is what it is, appended to the message in parentheses. */
export interface BoundReasons {
  readonly min?: string;
  readonly max?: string;
}

/** An integer of at least 1 (replicas, partitions, sizes), optionally bounded above. */
export const positiveInt = (field: string, max?: number) => boundedInt(field, 1, max);
