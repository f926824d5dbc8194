import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import net from "node:net";
import { failWhenMissingInCi } from "../../../test/support/ci";

/** Where .ci/steps/inference.sh installs the servers when it is not told otherwise. */
export const DEFAULT_VENV = "/opt/mlops-kit/inference-servers-venv";

function executable(file: string | undefined): file is string {
  if (!file) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$ENV_VAR` when it names an executable, else the CI step's venv default, else undefined. */
export function findServerBin(envVar: "MLFLOW_BIN" | "MOTO_BIN", venvBin: string): string | undefined {
  const fromEnv = process.env[envVar];
  if (executable(fromEnv)) return fromEnv;
  const fallback = `${process.env.INFERENCE_SERVERS_VENV ?? DEFAULT_VENV}/bin/${venvBin}`;
  return executable(fallback) ? fallback : undefined;
}

/** Says loudly why a suite is skipped and how to get what it needs. */
export function skipBanner(suite: string, missing: string, envVar: string): void {
  const line = "!".repeat(100);
  console.warn(
    `\n${line}\nSKIPPING ${suite}: ${missing} is not installed.\n` +
      `Install it with: bash .ci/steps/inference.sh  (pinned in service/test/inference/servers-requirements.txt)\n` +
      `or point ${envVar} at the executable.\n${line}\n`,
  );
}

/**
 * The server binary, or undefined after a skip banner. In CI (CI=true) .ci/steps/inference.sh has installed
 * it, so a missing binary is a broken setup: the suite then gets a failing test instead of a silent skip.
 */
export function requireServerBin(
  envVar: "MLFLOW_BIN" | "MOTO_BIN",
  venvBin: string,
  suite: string,
  missing: string,
): string | undefined {
  const bin = findServerBin(envVar, venvBin);
  if (bin !== undefined) return bin;
  skipBanner(suite, missing, envVar);
  failWhenMissingInCi(suite, `${missing} is missing; run bash .ci/steps/inference.sh or set ${envVar}`);
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a server in its own process group (MLflow forks workers) and waits until `readyPath` answers.
 * Bounded: fails with the server's last output after `timeoutMs`.
 */
export async function startServer(
  bin: string,
  args: readonly string[],
  port: number,
  readyPath: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 90_000,
): Promise<RunningServer> {
  const child: ChildProcess = spawn(bin, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (exited || child.pid === undefined) return;
    process.kill(-child.pid, "SIGTERM");
    const killer = setTimeout(() => {
      if (!exited && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, 5000);
    await exit;
    clearTimeout(killer);
  };
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (exited) throw new Error(`${bin} exited before it was ready:\n${tail}`);
    try {
      const res = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`${bin} was not ready within ${timeoutMs} ms:\n${tail}`);
}
