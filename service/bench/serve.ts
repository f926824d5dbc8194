/**
 * bench:serve — served throughput and latency over HTTP next to references measured in the same run:
 *   - the service (real engine, real model) with drift monitoring on, and off;
 *   - the HTTP floor: bare fastify parsing the same body and answering a same-sized canned response;
 *   - raw in-process ONNX Runtime rows/s for the same model and batch sizes;
 *   - attribution (JSON): the service's HTTP layer over a cached answer and over ORT on the main thread;
 *   - the lower bound (JSON): the floor's parsing plus worker-thread ORT and nothing else, i.e. the most any
 *     implementation of the required architecture can reach against the floor on this machine.
 * Batch 1 and 32, JSON and binary bodies, fixed concurrency. Servers run as child processes; this process
 * only generates load (autocannon). Not a test: it prints figures and ratios against targets.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { rawThroughput } from "../src/inference";

const SERVICE_DIR = fileURLToPath(new URL("..", import.meta.url));
const MODEL = path.join(SERVICE_DIR, "models", "readmission", "2");
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
// Rounds interleave the three servers so load from elsewhere on the machine hits them alike.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const BATCHES = [1, 32] as const;
const ENCODINGS = ["json", "binary"] as const;
type Encoding = (typeof ENCODINGS)[number];
const TARGET = { floorBatch1: 0.75, floorBatch32: 0.85, driftCost: 0.05 };

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

async function startServer(script: string, env: Record<string, string>): Promise<Server> {
  // `--import tsx` keeps the server in one process, so /proc/<pid>/stat covers all its threads.
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: SERVICE_DIR,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout?.on("data", (c: Buffer) => {
      buf += c.toString("utf8");
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return { url, child };
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((r) => server.child.once("exit", r));
  server.child.kill("SIGTERM");
  await exited;
}

/** Example rows repeated to `batch` rows, as an infer request body in the given encoding. */
function requestFor(batch: number, encoding: Encoding): { body: Buffer; headers: Record<string, string> } {
  const ex = JSON.parse(readFileSync(path.join(MODEL, "example.json"), "utf8")) as {
    inputs: Record<string, (number | string)[]>;
  };
  const columns = Object.entries(ex.inputs).map(([name, values]) => ({
    name,
    bytes: typeof values[0] === "string",
    data: Array.from({ length: batch }, (_, i) => values[i % values.length] as number | string),
  }));
  if (encoding === "json") {
    const body = {
      inputs: columns.map((c) => ({
        name: c.name,
        shape: [batch, 1],
        datatype: c.bytes ? "BYTES" : "FP32",
        data: c.data,
      })),
    };
    return { body: Buffer.from(JSON.stringify(body)), headers: { "content-type": "application/json" } };
  }
  const sections = columns.map((c) => {
    if (!c.bytes) return Buffer.from(Float32Array.from(c.data as number[]).buffer);
    return Buffer.concat(
      (c.data as string[]).flatMap((s) => {
        const b = Buffer.from(s, "utf8");
        const len = Buffer.alloc(4);
        len.writeUInt32LE(b.length);
        return [len, b];
      }),
    );
  });
  const header = Buffer.from(
    JSON.stringify({
      parameters: { binary_data_output: true },
      inputs: columns.map((c, i) => ({
        name: c.name,
        shape: [batch, 1],
        datatype: c.bytes ? "BYTES" : "FP32",
        parameters: { binary_data_size: sections[i]?.length },
      })),
    }),
  );
  return {
    body: Buffer.concat([header, ...sections]),
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(header.length),
    },
  };
}

/** CPU seconds (user + system, all threads) a process has used so far; Linux /proc, 100 ticks per second. */
function cpuSeconds(pid: number | undefined, mainThreadOnly = false): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

interface Measured {
  /** Server CPU per answered request, in microseconds: robust to other load on the machine. */
  readonly cpuMicros: number;
  /** The same for the server's main (event-loop) thread only: the HTTP path, without worker threads. */
  readonly mainMicros: number;
  readonly rps: number;
  readonly rowsPerS: number;
  readonly p50: number;
  readonly p99: number;
  readonly bad: number;
}

async function load(
  server: Server,
  url: string,
  batch: number,
  encoding: Encoding,
  warmup = true,
): Promise<Measured> {
  const { body, headers } = requestFor(batch, encoding);
  const opts = { url, method: "POST" as const, headers, body, connections: CONNECTIONS, pipelining: 1 };
  if (warmup) await autocannon({ ...opts, duration: 1 });
  const cpuBefore = cpuSeconds(server.child.pid);
  const mainBefore = cpuSeconds(server.child.pid, true);
  const r = await autocannon({ ...opts, duration: DURATION_S });
  const cpu = cpuSeconds(server.child.pid) - cpuBefore;
  const main = cpuSeconds(server.child.pid, true) - mainBefore;
  return {
    cpuMicros: (cpu * 1e6) / Math.max(1, r.requests.total),
    mainMicros: (main * 1e6) / Math.max(1, r.requests.total),
    rps: r.requests.average,
    rowsPerS: r.requests.average * batch,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts,
  };
}

/** One real response per (batch, encoding), so the floor answers exactly as many bytes. */
async function cannedResponses(serviceUrl: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const batch of BATCHES) {
    for (const encoding of ENCODINGS) {
      const { body, headers } = requestFor(batch, encoding);
      const res = await fetch(`${serviceUrl}/v2/models/readmission/infer`, { method: "POST", body, headers });
      if (res.status !== 200) throw new Error(`service answered ${res.status}: ${await res.text()}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      out[`${encoding}-${batch}`] = {
        contentType: res.headers.get("content-type"),
        ...(res.headers.get("inference-header-content-length") === null
          ? {}
          : { headerLength: res.headers.get("inference-header-content-length") }),
        base64: bytes.toString("base64"),
      };
    }
  }
  return out;
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `bench:serve — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load avg ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, ` +
      `${CONNECTIONS} connections, ${ROUNDS} rounds x ${DURATION_S} s per run (+1 s warm-up in round 1), autocannon in this process, servers as children`,
  );

  const raw = await rawThroughput({
    modelPath: path.join(MODEL, "model.onnx"),
    batchSizes: [...BATCHES],
    durationMs: 2000,
  });
  const tmp = await mkdtemp(path.join(os.tmpdir(), "bench-serve-"));
  const runs: Record<string, Measured[]> = {};
  const servers: Server[] = [];
  try {
    const serviceEnv = { LOG_LEVEL: "info", MODEL_POLL_INTERVAL_MS: "0" };
    const service = await startServer("src/main.ts", { ...serviceEnv, DRIFT_ENABLED: "true" });
    servers.push(service);
    const cannedFile = path.join(tmp, "canned.json");
    await writeFile(cannedFile, JSON.stringify(await cannedResponses(service.url)));
    const noDrift = await startServer("src/main.ts", { ...serviceEnv, DRIFT_ENABLED: "false" });
    servers.push(noDrift);
    const floor = await startServer("bench/floor-server.ts", { FLOOR_RESPONSES: cannedFile });
    servers.push(floor);
    // Attribution references (JSON only): the service's HTTP layer over a cached answer, and over ORT inline.
    const stub = await startServer("bench/inline-server.ts", { INLINE_STUB: "1" });
    servers.push(stub);
    const inline = await startServer("bench/inline-server.ts", {});
    servers.push(inline);
    const lowerBound = await startServer("bench/lower-bound-server.ts", {});
    servers.push(lowerBound);
    for (let round = 0; round < ROUNDS; round++) {
      for (const batch of BATCHES) {
        for (const encoding of ENCODINGS) {
          const infer = "/v2/models/readmission/infer";
          const targets: [string, Server, string][] = [
            ["floor", floor, `/floor?key=${encoding}-${batch}`],
            ["service", service, infer],
            ["no-drift", noDrift, infer],
          ];
          if (encoding === "json") {
            targets.push(["http-layer, stub engine", stub, infer]);
            targets.push(["http-layer, inline ORT", inline, infer]);
            targets.push(["lower bound", lowerBound, infer]);
          }
          for (let t = 0; t < targets.length; t++) {
            const [name, server, urlPath] = targets[(t + round) % targets.length] as [string, Server, string];
            const key = `${name} ${encoding} ${batch}`;
            const measured = await load(server, server.url + urlPath, batch, encoding, round === 0);
            runs[key] = [...(runs[key] ?? []), measured];
          }
        }
      }
    }
  } finally {
    for (const s of servers) await stop(s);
    await rm(tmp, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const results: Record<string, Measured> = Object.fromEntries(
    Object.entries(runs).map(([k, ms]) => [
      k,
      {
        cpuMicros: mean(ms.map((m) => m.cpuMicros)),
        mainMicros: mean(ms.map((m) => m.mainMicros)),
        rps: mean(ms.map((m) => m.rps)),
        rowsPerS: mean(ms.map((m) => m.rowsPerS)),
        p50: mean(ms.map((m) => m.p50)),
        p99: Math.max(...ms.map((m) => m.p99)),
        bad: ms.reduce((a, m) => a + m.bad, 0),
      },
    ]),
  );

  console.log("\nraw in-process ONNX Runtime (one session, no HTTP, no batching)");
  for (const r of raw)
    console.log(
      `  batch ${String(r.batchSize).padStart(2)}: ${fmt(r.rowsPerSecond)} rows/s (${fmt(r.meanRunMicros, 1)} µs/run)`,
    );

  console.log(
    `\nHTTP runs (mean of ${ROUNDS} rounds, p99 of the worst)  req/s      rows/s   p50 ms   p99 ms  CPU µs/req (main thread)  non-2xx/errors`,
  );
  for (const [name, m] of Object.entries(results)) {
    console.log(
      `  ${name.padEnd(44)} ${fmt(m.rps).padStart(8)} ${fmt(m.rowsPerS).padStart(11)} ${fmt(m.p50, 2).padStart(8)} ${fmt(m.p99, 2).padStart(8)} ${fmt(m.cpuMicros, 1).padStart(10)} (${fmt(m.mainMicros, 1).padStart(6)})        ${m.bad}`,
    );
  }

  console.log("\nratios against targets");
  const line = (label: string, value: number, target: number, higherIsBetter: boolean) => {
    const ok = higherIsBetter ? value >= target : value <= target;
    console.log(
      `  ${label.padEnd(44)} ${pct(value).padStart(8)}   target ${higherIsBetter ? "≥" : "≤"} ${pct(target)}   ${ok ? "MET" : "MISSED"}`,
    );
  };
  for (const encoding of ENCODINGS) {
    for (const batch of BATCHES) {
      const s = results[`service ${encoding} ${batch}`] as Measured;
      const f = results[`floor ${encoding} ${batch}`] as Measured;
      line(
        `service / floor req/s, ${encoding}, batch ${batch}`,
        s.rps / f.rps,
        batch === 1 ? TARGET.floorBatch1 : TARGET.floorBatch32,
        true,
      );
    }
  }
  for (const encoding of ENCODINGS) {
    for (const batch of BATCHES) {
      const on = results[`service ${encoding} ${batch}`] as Measured;
      const off = results[`no-drift ${encoding} ${batch}`] as Measured;
      line(
        `drift cost (1 - on/off req/s), ${encoding}, batch ${batch}`,
        1 - on.rps / off.rps,
        TARGET.driftCost,
        false,
      );
    }
  }
  console.log("\nthe same ratios from server CPU per request (robust to other load on a shared machine)");
  for (const encoding of ENCODINGS) {
    for (const batch of BATCHES) {
      const s = results[`service ${encoding} ${batch}`] as Measured;
      const f = results[`floor ${encoding} ${batch}`] as Measured;
      line(
        `floor / service CPU per request, ${encoding}, batch ${batch}`,
        f.cpuMicros / s.cpuMicros,
        batch === 1 ? TARGET.floorBatch1 : TARGET.floorBatch32,
        true,
      );
    }
  }
  for (const encoding of ENCODINGS) {
    for (const batch of BATCHES) {
      const on = results[`service ${encoding} ${batch}`] as Measured;
      const off = results[`no-drift ${encoding} ${batch}`] as Measured;
      line(
        `drift cost (on/off CPU per request - 1), ${encoding}, batch ${batch}`,
        on.cpuMicros / off.cpuMicros - 1,
        TARGET.driftCost,
        false,
      );
    }
  }
  console.log(
    "\nprojection for a machine with cores to spare for the ORT worker threads: the event-loop thread is then the limit",
  );
  for (const encoding of ENCODINGS) {
    for (const batch of BATCHES) {
      const s = results[`service ${encoding} ${batch}`] as Measured;
      const f = results[`floor ${encoding} ${batch}`] as Measured;
      line(
        `floor / service main-thread CPU, ${encoding}, batch ${batch}`,
        f.mainMicros / s.mainMicros,
        batch === 1 ? TARGET.floorBatch1 : TARGET.floorBatch32,
        true,
      );
    }
  }
  console.log(
    "\nwhat this machine allows: the lower bound (floor parsing + worker-thread ORT, nothing else; JSON) against the floor",
  );
  for (const batch of BATCHES) {
    const lb = results[`lower bound json ${batch}`] as Measured;
    const f = results[`floor json ${batch}`] as Measured;
    const s = results[`service json ${batch}`] as Measured;
    line(
      `lower bound / floor req/s, json, batch ${batch}`,
      lb.rps / f.rps,
      batch === 1 ? TARGET.floorBatch1 : TARGET.floorBatch32,
      true,
    );
    console.log(
      `  ${`service / lower bound req/s, json, batch ${batch}`.padEnd(44)} ${pct(s.rps / lb.rps).padStart(8)}   (how much of what is reachable the service gets)`,
    );
  }

  console.log("\nattribution (JSON, no target; µs of server CPU per request, all threads)");
  for (const batch of BATCHES) {
    const f = results[`floor json ${batch}`] as Measured;
    const stubbed = results[`http-layer, stub engine json ${batch}`] as Measured;
    const inline = results[`http-layer, inline ORT json ${batch}`] as Measured;
    const s = results[`service json ${batch}`] as Measured;
    const us = (m: Measured) => `${fmt(m.cpuMicros, 1)} µs`;
    console.log(
      `  batch ${String(batch).padEnd(2)} server CPU per request: floor ${us(f)}, + service HTTP layer (stub engine) ${us(stubbed)}, ` +
        `+ ORT inline ${us(inline)}, worker-pool service ${us(s)}`,
    );
  }
  for (const batch of BATCHES) {
    const s = results[`service binary ${batch}`] as Measured;
    const r = raw.find((x) => x.batchSize === batch);
    if (r)
      console.log(
        `  served binary rows/s vs raw ORT, batch ${String(batch).padEnd(2)}              ${pct(s.rowsPerS / r.rowsPerSecond).padStart(8)}   (reference, no target)`,
      );
  }
  console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s`);
}

await main();
