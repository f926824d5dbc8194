/**
 * Runs the real service as one child process, `node --import tsx src/main.ts`: like the image's
 * `node service/dist/main.js`, signals reach the service itself. tsx's CLI (`npm run serve`) would put a relay
 * process in between that SIGKILLs the service and exits 143 when its 30 ms signal handshake is late under load.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const SERVICE_DIR = fileURLToPath(new URL("../..", import.meta.url));
const TSX_LOADER = new URL("../../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lines: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

/** Starts the service with `env` on loopback port 0 and resolves once it listens. */
export async function spawnService(env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, "src/main.ts"], {
    cwd: SERVICE_DIR,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  const lines: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
  });
  let buffer = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not listen in ${timeoutMs} ms: ${stderr.join("")}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}) before listening: ${stderr.join("")}`));
    });
  });
  return { child, url, lines, stderr, exited };
}

/** A loopback port free right now (for listeners the service cannot report back, such as GRPC_PORT). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}
