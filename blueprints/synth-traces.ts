import { createRequire } from "node:module";

/**
 * cdktf records a full creation stack trace for every token and every attribute-reference object it makes (a
 * resource's constructor makes dozens), for text it quotes only when a token fails to resolve. With 100 teams,
 * collecting, symbolicating and formatting those traces was most of what each team stack cost. While building and
 * synthesizing:
 * - source maps are off (each frame of each trace was looked up in one);
 * - a stack reads as its first line;
 * - cdktf's trace capture returns no frames without walking the stack (the one-line stacks above already left it
 *   none).
 * `keep` (MLOPS_SYNTH_STACKS=1) leaves cdktf's traces whole, for a token that fails to resolve. All of it is
 * undone before anything is reported: Node formats an error's stack when it is first read, so an error printed
 * afterwards gets its full stack, pointing into the TypeScript sources.
 */
export function quietTraces(keep: boolean): () => void {
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  if (keep) return () => process.setSourceMapsEnabled(sourceMaps);
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: unknown) => String(error);
  // cdktf's own module (not part of its public API): its callers read the export at each call, so replacing it
  // reaches them all. If a cdktf release moves it, nothing is replaced and synthesis is only slower.
  const traces = cdktfStackTraceModule();
  const capture = traces?.captureStackTrace;
  if (traces) traces.captureStackTrace = () => [];
  return () => {
    if (traces && capture) traces.captureStackTrace = capture;
    Error.prepareStackTrace = prepare;
    process.setSourceMapsEnabled(sourceMaps);
  };
}

interface TraceModule {
  captureStackTrace: () => string[];
}

function cdktfStackTraceModule(): TraceModule | undefined {
  try {
    const mod = createRequire(import.meta.url)(
      "cdktf/lib/tokens/private/stack-trace",
    ) as Partial<TraceModule>;
    return typeof mod.captureStackTrace === "function" ? (mod as TraceModule) : undefined;
  } catch {
    return undefined;
  }
}
