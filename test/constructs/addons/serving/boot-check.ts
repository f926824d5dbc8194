/**
 * Boots the process a container spec describes (manifest-process.ts) and runs checks against it: it must
 * listen within the startup probe's budget, then every probe must answer 200; engine-specific checks follow.
 * Failures are collected, not thrown, so the mutation cases can show which check a broken spec fails.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readTopic } from "../../../../service/test/feedback/kafka-helpers";
import type { Json } from "../../../support/manifests";
import type { KafkaStandIn } from "./cluster-stand-ins";
import { containerProcess, type ImageDefaults, type LocalProcess, type PodContext } from "./manifest-process";

export interface Boot {
  readonly failures: string[];
  readonly log: string[];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** fetch with a 5 s timeout; a refused or timed-out request is status 599 with the error as body. */
export async function request(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  } catch (error) {
    return new Response(String(error), { status: 599 });
  }
}

/** Starts the process of `container` in `pod`, checks its probes, runs `check`, kills it; returns what failed. */
export async function bootCheck(
  pod: Json,
  container: Json,
  image: ImageDefaults,
  ctx: PodContext,
  check: (proc: LocalProcess) => Promise<string[]>,
): Promise<Boot> {
  const proc = containerProcess(pod, container, image, ctx);
  const log: string[] = [];
  const child: ChildProcess = spawn(proc.argv[0] as string, proc.argv.slice(1), {
    cwd: proc.cwd,
    env: { PATH: process.env.PATH ?? "", ...proc.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.stdout?.on("data", (b: Buffer) => log.push(b.toString()));
  child.stderr?.on("data", (b: Buffer) => log.push(b.toString()));
  try {
    // The startup probe's budget bounds how long the models may take to load (capped for the test's sake).
    const startup = container.startupProbe as Json;
    const deadline = Date.now() + Math.min(120, startup.periodSeconds * startup.failureThreshold) * 1000;
    const listening = () => log.join("").includes("Server listening at");
    while (!listening() && child.exitCode === null && Date.now() < deadline) await sleep(250);
    if (!listening()) return { failures: [`never listened: ${log.join("").slice(-2000)}`], log };
    // Listening means the configured models loaded; the probes get a short grace together.
    const failures: string[] = [];
    const until = Date.now() + 10_000;
    for (const [probe, url] of Object.entries(proc.probes)) {
      let res = await request(url);
      for (; res.status !== 200 && Date.now() < until; res = await request(url)) await sleep(250);
      if (res.status !== 200) failures.push(`${probe} ${url} answered ${res.status}`);
    }
    failures.push(...(await check(proc)));
    return { failures, log };
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Whether a message keyed `id` reaches `topic` within 15 s (the service keys prediction events by request id). */
export async function eventReached(kafka: KafkaStandIn, topic: string, id: string): Promise<boolean> {
  for (const until = Date.now() + 15_000; Date.now() < until; await sleep(1000)) {
    if ((await readTopic(kafka.admin, topic).catch(() => [])).some((msg) => msg.key === id)) return true;
  }
  return false;
}

/** POSTs an Open Inference Protocol body to `url`; the failure, if any. */
export async function infer(url: string, body: unknown): Promise<string | undefined> {
  const res = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.status === 200 ? undefined : `inference ${url} answered ${res.status}: ${await res.text()}`;
}
