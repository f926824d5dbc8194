/** What `fn` throws, or undefined when it returns (so the caller's assertions on the error then fail). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
