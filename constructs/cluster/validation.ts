import { Token } from "cdktf";

/**
 * The error every construct in this folder throws for bad props: it names the prop, the value received and
 * what was expected, so a config mistake is fixable from the message alone.
 */
export function invalidProp(prop: string, value: unknown, expected: string): Error {
  return new Error(`Invalid ${prop}: got ${JSON.stringify(value)}; expected ${expected}.`);
}

/** True when the value is a Terraform token (known only at plan/apply), which synth-time checks must skip. */
export function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** Checks an integer range unless the value is a token. */
export function requireIntegerInRange(prop: string, value: number, min: number, max: number): void {
  if (isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidProp(prop, value, `an integer from ${min} to ${max}`);
  }
}

/** Checks membership in a closed list unless the value is a token. */
export function requireOneOf<T extends string | number>(prop: string, value: T, allowed: readonly T[]): void {
  if (isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    throw invalidProp(prop, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  }
}

/** A Terraform-safe construct id fragment derived from a user-facing name. */
export function idFragment(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "-");
}
