import { ConfigError } from "../../constructs/primitives";

/** What `fn` throws, or undefined when it returns (so the caller's assertions on the error then fail). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The `path: message` lines of the ConfigError `fn` throws; fails the test when it throws none. */
export function configProblems(fn: () => unknown): string[] {
  const err = thrownBy(fn);
  if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(err)}`);
  return err.problems.map((p) => `${p.path}: ${p.message}`);
}
