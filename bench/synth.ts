import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `npm run bench:synth`: wall time and peak memory of synthesizing the default platform, next to a one-resource
 * cdktf app measured the same way in the same run (tsx start-up included in both). Not a test: it prints figures.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Sample {
  readonly wallMs: number;
  readonly maxRssMiB: number;
}

function runOnce(app: string): Sample {
  const dir = mkdtempSync(join(tmpdir(), "bench-synth-"));
  const report = join(dir, "report.json");
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--import", "tsx", "bench/measure.ts", app, report], {
    env: { ...process.env, CDKTF_OUTDIR: join(dir, "out"), MLOPS_CONFIG: "", CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${app} failed (${child.status}):\n${child.stderr}`);
  const { maxRssKiB } = JSON.parse(readFileSync(report, "utf8")) as { maxRssKiB: number };
  rmSync(dir, { recursive: true, force: true });
  return { wallMs, maxRssMiB: maxRssKiB / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(app: string): { wallMs: number; maxRssMiB: number; runs: Sample[] } {
  runOnce(app); // warm the filesystem cache and tsx's transform cache
  const runs = Array.from({ length: RUNS }, () => runOnce(app));
  return { wallMs: median(runs.map((r) => r.wallMs)), maxRssMiB: median(runs.map((r) => r.maxRssMiB)), runs };
}

const reference = measure("bench/one-resource-app.ts");
const platform = measure("main.ts");
const row = (name: string, m: { wallMs: number; maxRssMiB: number }) =>
  `${name.padEnd(34)} ${m.wallMs.toFixed(0).padStart(8)} ms ${m.maxRssMiB.toFixed(1).padStart(9)} MiB`;
process.stdout.write(
  `${[
    `bench:synth — median of ${RUNS} runs after one warm-up (node ${process.version})`,
    `${"app".padEnd(34)} ${"wall".padStart(11)} ${"peak RSS".padStart(13)}`,
    row("one-resource cdktf app (reference)", reference),
    row("default platform (main.ts)", platform),
    `ratio: ${(platform.wallMs / reference.wallMs).toFixed(2)}x wall, ${(platform.maxRssMiB / reference.maxRssMiB).toFixed(2)}x memory`,
  ].join("\n")}\n`,
);
