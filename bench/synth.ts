import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchTeamsConfig } from "./teams-config";

/**
 * `npm run bench:synth`: wall time and peak memory of synthesizing the default platform with 0, 10 and 100 teams
 * (issue 13's target: 100 teams at most 2x the wall time and 2x the peak memory of 0), next to a one-resource
 * cdktf app, all measured the same way in the same run (tsx start-up included): wall time, CPU time (user +
 * system: steadier than wall time on a shared machine) and peak RSS. Not a test: it prints figures.
 * BENCH_RUNS sets the runs per app (median reported, after one warm-up); BENCH_TEAMS the team counts ("0,10,100").
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TEAM_COUNTS = (process.env.BENCH_TEAMS ?? "0,10,100").split(",").map(Number);

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
}

function runOnce(app: string, config: string): Sample {
  const dir = mkdtempSync(join(tmpdir(), "bench-synth-"));
  const report = join(dir, "report.json");
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--import", "tsx", "bench/measure.ts", app, report], {
    env: { ...process.env, CDKTF_OUTDIR: join(dir, "out"), MLOPS_CONFIG: config, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${app} failed (${child.status}):\n${child.stderr}`);
  const { maxRssKiB, cpuMs } = JSON.parse(readFileSync(report, "utf8")) as {
    maxRssKiB: number;
    cpuMs: number;
  };
  rmSync(dir, { recursive: true, force: true });
  return { wallMs, cpuMs, maxRssMiB: maxRssKiB / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function measure(app: string, config = ""): Sample {
  runOnce(app, config); // warm the filesystem cache and tsx's transform cache
  const runs = Array.from({ length: RUNS }, () => runOnce(app, config));
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    maxRssMiB: median(runs.map((r) => r.maxRssMiB)),
  };
}

const configDir = mkdtempSync(join(tmpdir(), "bench-teams-"));
const ratios = (m: Sample, base: Sample) =>
  `${(m.wallMs / base.wallMs).toFixed(2)}x wall, ${(m.cpuMs / base.cpuMs).toFixed(2)}x CPU, ${(m.maxRssMiB / base.maxRssMiB).toFixed(2)}x memory`;
const row = (name: string, m: Sample, base?: Sample) =>
  `${name.padEnd(34)} ${m.wallMs.toFixed(0).padStart(8)} ms ${m.cpuMs.toFixed(0).padStart(8)} ms ${m.maxRssMiB.toFixed(1).padStart(9)} MiB${base ? `   ${ratios(m, base)}` : ""}`;
try {
  const reference = measure("bench/one-resource-app.ts");
  // Every platform variant from a file, so each pays the same load and parse.
  const variants = TEAM_COUNTS.map((n) => {
    const file = join(configDir, `teams-${n}.json`);
    writeFileSync(file, JSON.stringify(benchTeamsConfig(n)));
    return { n, m: measure("main.ts", file) };
  });
  const base = variants[0]?.m;
  process.stdout.write(
    `${[
      `bench:synth — median of ${RUNS} runs after one warm-up (node ${process.version})`,
      `${"app".padEnd(34)} ${"wall".padStart(11)} ${"CPU".padStart(11)} ${"peak RSS".padStart(13)}   against ${TEAM_COUNTS[0]} teams`,
      row("one-resource cdktf app (reference)", reference),
      ...variants.map((v) => row(`default platform, ${v.n} teams`, v.m, base)),
      `default platform, ${TEAM_COUNTS[0]} teams, against the reference: ${base ? ratios(base, reference) : "-"}`,
    ].join("\n")}\n`,
  );
} finally {
  rmSync(configDir, { recursive: true, force: true });
}
