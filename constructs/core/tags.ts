/** Tags as a flat string map; merged global-first so per-part tags win. */
export type Tags = Readonly<Record<string, string>>;

export function mergeTags(...layers: (Tags | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const layer of layers) {
    if (layer) Object.assign(merged, layer);
  }
  return merged;
}
