/** What the JVM test servers (scripts/kafka, scripts/opensearch) share: their pinned version and where they live. */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";

/** A `<properties>` entry of a fetch pom, so the pom is the one source of the pinned version. */
export function pomProperty(pom: string, name: string): string {
  const match = new RegExp(`<${name.replace(/\./g, "\\.")}>([^<]+)</${name.replace(/\./g, "\\.")}>`).exec(
    readFileSync(pom, "utf8"),
  );
  if (!match?.[1]) throw new Error(`${pom}: no <${name}> property found`);
  return match[1];
}

/** The cache root the fetch scripts fill: the given override (an env var), else ~/.cache/mlops-kit. */
export function mlopsCacheDir(override: string | undefined): string {
  return override ?? join(homedir(), ".cache", "mlops-kit");
}

/** Whether a `java` can be run: on PATH, or in $JAVA_HOME/bin. */
export function javaAvailable(): boolean {
  const javaHome = process.env.JAVA_HOME;
  const onPath = (process.env.PATH ?? "").split(":").some((p) => p && existsSync(join(p, "java")));
  return onPath || Boolean(javaHome && existsSync(join(javaHome, "bin", "java")));
}

/** Live test servers, killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Starts tracking a server process: it is killed with the test process, and `exitCode()` tells whether it has
 * exited (undefined while it runs), so a start loop can fail fast with the server's log.
 */
export function trackChild(child: ChildProcess, onExit: () => void): () => number | null | undefined {
  live.add(child);
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
    live.delete(child);
    onExit();
  });
  return () => exited;
}

/** Resolves once the process has exited (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** The last characters of a server's log file, for error messages. */
export async function tailFile(file: string, chars = 2000): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "(no log)");
  return text.slice(-chars);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Picks a free TCP port on 127.0.0.1 (the OS chooses; closed again right away). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not get a free port"))));
    });
  });
}
