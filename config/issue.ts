import type { z } from "zod";
import { show } from "../constructs/primitives";

/** Adds a problem at `path` that quotes the value (zod drops `input` from custom issues, so it goes in the message). */
export function issue(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  input: unknown,
  message: string,
): void {
  ctx.addIssue({
    code: "custom",
    path,
    message: `got ${show(input)}; ${message}`,
    params: { formatted: true },
  });
}
