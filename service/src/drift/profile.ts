/**
 * Reference drift profile (`profile.json` beside a version's model.onnx in every model source; format in
 * pipelines/README.md) and its validation. Errors name the file, the field path, the value found and what
 * was expected.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

const SUM_TOLERANCE = 1e-6;

const numericSchema = z
  .object({
    type: z.literal("numeric"),
    binEdges: z.array(z.number().nullable()).min(2),
    binFrequencies: z.array(z.number().min(0).max(1)).min(1),
    sample: z.array(z.number()).min(1),
  })
  .superRefine((f, ctx) => {
    const last = f.binEdges.length - 1;
    if (f.binEdges[0] !== null || f.binEdges[last] !== null) {
      ctx.addIssue({
        code: "custom",
        path: ["binEdges"],
        message: "expected null (open) first and last edges",
      });
    }
    const interior = f.binEdges.slice(1, -1);
    interior.forEach((e, i) => {
      if (e === null) {
        ctx.addIssue({
          code: "custom",
          path: ["binEdges", i + 1],
          message: "expected a number for an interior edge",
        });
      } else if (i > 0 && !((interior[i - 1] as number) < e)) {
        ctx.addIssue({
          code: "custom",
          path: ["binEdges", i + 1],
          message: "expected strictly increasing edges",
        });
      }
    });
    if (f.binFrequencies.length !== f.binEdges.length - 1) {
      ctx.addIssue({
        code: "custom",
        path: ["binFrequencies"],
        message: `expected ${f.binEdges.length - 1} entries (one per bin), got ${f.binFrequencies.length}`,
      });
    }
    const sum = f.binFrequencies.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      ctx.addIssue({
        code: "custom",
        path: ["binFrequencies"],
        message: `expected to sum to 1, sums to ${sum}`,
      });
    }
  });

const categoricalSchema = z
  .object({
    type: z.literal("categorical"),
    frequencies: z.record(z.string(), z.number().min(0).max(1)),
  })
  .superRefine((f, ctx) => {
    const values = Object.values(f.frequencies);
    if (values.length < 2) {
      ctx.addIssue({ code: "custom", path: ["frequencies"], message: "expected at least 2 categories" });
    }
    const sum = values.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      ctx.addIssue({
        code: "custom",
        path: ["frequencies"],
        message: `expected to sum to 1, sums to ${sum}`,
      });
    }
  });

export const driftProfileSchema = z.object({
  model: z.string().min(1),
  version: z.string().min(1),
  rows: z.number().int().positive().optional(),
  features: z
    .record(z.string(), z.discriminatedUnion("type", [numericSchema, categoricalSchema]))
    .refine((f) => Object.keys(f).length > 0, { message: "expected at least one feature" }),
  prediction: numericSchema,
});

export type DriftProfile = z.infer<typeof driftProfileSchema>;
export type NumericProfile = z.infer<typeof numericSchema>;
export type CategoricalProfile = z.infer<typeof categoricalSchema>;

export class DriftProfileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`drift profile ${file}: ${problems.join("; ")}`);
    this.name = "DriftProfileError";
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function show(value: unknown): string {
  const text = value === undefined ? "missing" : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Validates an already parsed profile; `source` names it in errors. */
export function parseProfile(raw: unknown, source: string): DriftProfile {
  const result = driftProfileSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 10).map((issue) => {
    const where = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
    return `${where}: ${issue.message} (found ${show(valueAt(raw, issue.path))})`;
  });
  throw new DriftProfileError(source, problems);
}

/** Reads and validates a profile file. Throws DriftProfileError naming the path and each bad field. */
export function loadProfile(path: string): DriftProfile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new DriftProfileError(path, [
      `cannot read file (${(error as NodeJS.ErrnoException).code ?? error})`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DriftProfileError(path, [`invalid JSON (${(error as Error).message})`]);
  }
  return parseProfile(raw, path);
}
