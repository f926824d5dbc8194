/** Parsing of `outcomes` topic messages: JSON `{ requestId, label, row? }` with a binary label. */

export interface Outcome {
  readonly requestId: string;
  readonly label: 0 | 1;
  /** Row of the prediction this outcome labels; 0 when omitted. */
  readonly row: number;
}

export type ParsedOutcome =
  | { readonly ok: true; readonly outcome: Outcome }
  | { readonly ok: false; readonly error: string };

const MAX_ID_LENGTH = 256;

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

export function parseOutcome(value: Buffer | null): ParsedOutcome {
  if (value === null || value.length === 0)
    return { ok: false, error: "outcome: got an empty message, expected JSON" };
  let body: unknown;
  try {
    body = JSON.parse(value.toString("utf8"));
  } catch {
    return { ok: false, error: `outcome: got ${show(value.toString("utf8"))}, expected a JSON object` };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      ok: false,
      error: `outcome: got ${Array.isArray(body) ? "an array" : show(body)}, expected a JSON object`,
    };
  }
  const { requestId, label, row } = body as Record<string, unknown>;
  if (typeof requestId !== "string" || requestId.length === 0 || requestId.length > MAX_ID_LENGTH) {
    return {
      ok: false,
      error: `outcome.requestId: got ${show(requestId)}, expected a non-empty string of at most ${MAX_ID_LENGTH} characters`,
    };
  }
  let binary: 0 | 1;
  if (label === 0 || label === false) binary = 0;
  else if (label === 1 || label === true) binary = 1;
  else return { ok: false, error: `outcome.label: got ${show(label)}, expected 0, 1, true or false` };
  if (row !== undefined && !(typeof row === "number" && Number.isInteger(row) && row >= 0)) {
    return { ok: false, error: `outcome.row: got ${show(row)}, expected a non-negative integer` };
  }
  return { ok: true, outcome: { requestId, label: binary, row: (row as number | undefined) ?? 0 } };
}
