/** A metric family as an exposition's `# TYPE` line declares it. */
export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";
export type MetricFamily = readonly [name: string, type: MetricType];

/** The series names a family exposes: histograms add _bucket/_sum/_count, summaries _sum/_count. */
export function sampleNames([name, type]: MetricFamily): string[] {
  if (type === "histogram") return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === "summary") return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/** The families declared by `# TYPE` lines of a Prometheus text exposition, in order. */
export function familiesOf(exposition: string): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const line of exposition.split("\n")) {
    const m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)\s*$/.exec(line);
    if (m?.[1] && m[2]) out.push([m[1], m[2] as MetricType]);
  }
  return out;
}
