/**
 * The DCGM fields the exporter collects: the one list the exporter's counters file is rendered from and the
 * monitoring rules' `dcgm` metric list is read from (the exporter names each metric after its field), so an
 * alert rule or dashboard cannot query a field the exporter was not told to collect.
 *
 * Only device fields (`DCGM_FI_DEV_*`): profiling fields (`DCGM_FI_PROF_*`) need the SYS_ADMIN capability,
 * which the kit does not grant (see ./index.ts). Names and types are those the pinned chart documents in its
 * values.yaml; test/constructs/addons/dcgm-exporter checks both against `../shared/schemas`.
 */
export type DcgmCounterType = "gauge" | "counter";

export interface DcgmCounter {
  readonly field: string;
  readonly type: DcgmCounterType;
  readonly help: string;
}

export const DCGM_COUNTERS: readonly DcgmCounter[] = [
  { field: "DCGM_FI_DEV_GPU_UTIL", type: "gauge", help: "GPU utilization (%)." },
  { field: "DCGM_FI_DEV_MEM_COPY_UTIL", type: "gauge", help: "Memory copy utilization (%)." },
  { field: "DCGM_FI_DEV_FB_FREE", type: "gauge", help: "Free framebuffer memory (MiB)." },
  { field: "DCGM_FI_DEV_FB_USED", type: "gauge", help: "Used framebuffer memory (MiB)." },
  { field: "DCGM_FI_DEV_XID_ERRORS", type: "gauge", help: "Code of the last Xid error." },
  { field: "DCGM_FI_DEV_GPU_TEMP", type: "gauge", help: "GPU temperature (C)." },
  { field: "DCGM_FI_DEV_POWER_USAGE", type: "gauge", help: "Power draw (W)." },
  { field: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", type: "counter", help: "Double-bit volatile ECC errors." },
];

/** The metric names the exporter serves for `counters`. */
export function dcgmMetricNames(counters: readonly DcgmCounter[] = DCGM_COUNTERS): string[] {
  return counters.map((c) => c.field);
}

/** The exporter's counters file (`-f`): `field, type, help` per line, the format of its default-counters.csv. */
export function dcgmCountersCsv(counters: readonly DcgmCounter[] = DCGM_COUNTERS): string {
  const lines = counters.map((c) => `${c.field}, ${c.type}, ${c.help}`);
  return `# DCGM field, Prometheus metric type, help (rendered by the platform kit)\n${lines.join("\n")}\n`;
}
