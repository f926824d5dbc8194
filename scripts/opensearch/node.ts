/**
 * A real single-node OpenSearch for tests, run from the Maven Central jars that `scripts/opensearch/fetch.sh`
 * lays out as an OpenSearch home. No Docker, loopback only, small heap, no security plugin (Maven Central has
 * none to load), HTTP and ingest pipelines only. Each node gets its own temp home, data and log dirs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { chmod, chown, cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  exitOf,
  freePort,
  javaAvailable,
  mlopsCacheDir,
  pomProperty,
  sleep,
  tailFile,
  trackChild,
} from "../jvm/support";

const here = dirname(fileURLToPath(import.meta.url));

/** The pinned OpenSearch version, read from the pom so there is one source of truth. */
export const OPENSEARCH_VERSION: string = pomProperty(join(here, "pom.xml"), "opensearch.version");

/** The command that installs what the node needs, for skip banners. */
export const OPENSEARCH_INSTALL_HINT =
  "bash scripts/opensearch/fetch.sh   (or: bash .ci/steps/opensearch.sh)";

/** The OpenSearch home fetch.sh lays out: $OPENSEARCH_HOME_DIR, else the default cache dir. */
export function openSearchHomeDir(): string {
  return (
    process.env.OPENSEARCH_HOME_DIR ??
    join(mlopsCacheDir(process.env.OPENSEARCH_CACHE_DIR), `opensearch-${OPENSEARCH_VERSION}`, "home")
  );
}

/** Why a node cannot run here, or undefined when it can (home laid out, `java` on PATH). */
export function openSearchUnavailableReason(): string | undefined {
  const home = openSearchHomeDir();
  const jar = join(home, "lib", `opensearch-${OPENSEARCH_VERSION}.jar`);
  if (!existsSync(jar)) return `OpenSearch ${OPENSEARCH_VERSION} not found: expected ${jar}`;
  for (const module of ["transport-netty4", "ingest-common"]) {
    const descriptor = join(home, "modules", module, "plugin-descriptor.properties");
    if (!existsSync(descriptor)) return `OpenSearch module ${module} not laid out: expected ${descriptor}`;
  }
  if (!javaAvailable()) return "no `java` on PATH (Java 17 is needed to run OpenSearch 2.19)";
  return undefined;
}

export interface OpenSearchTestNodeOptions {
  /** JVM heap (min and max); the node needs little for tests. */
  readonly heap?: string;
  /** How long `create()` waits for the node to answer on HTTP. */
  readonly startTimeoutMs?: number;
}

/** The uid/gid OpenSearch runs as when the tests run as root: the server refuses to start as root. */
const NOBODY = 65534;

export class OpenSearchTestNode {
  private child: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Lays out a temp home on a free port, starts the node and waits until its HTTP API answers. */
  static async create(options: OpenSearchTestNodeOptions = {}): Promise<OpenSearchTestNode> {
    const reason = openSearchUnavailableReason();
    if (reason) throw new Error(`${reason}; install with: ${OPENSEARCH_INSTALL_HINT}`);
    const dir = await mkdtemp(join(tmpdir(), "mlops-opensearch-"));
    const node = new OpenSearchTestNode(dir, await freePort());
    try {
      await node.layout();
      await node.start(options);
      return node;
    } catch (error) {
      await node.destroy();
      throw error;
    }
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private get asRoot(): boolean {
    return process.getuid?.() === 0;
  }

  /**
   * Copies the cached home (under a root-only $HOME when run as root, so the unprivileged node could not read
   * it in place) and writes the node's config: single node, loopback, its own data and log dirs.
   */
  private async layout(): Promise<void> {
    await cp(openSearchHomeDir(), this.dir, { recursive: true });
    const config = join(this.dir, "config");
    await mkdir(config);
    for (const d of ["data", "logs"]) await mkdir(join(this.dir, d));
    const settings = {
      "cluster.name": "mlops-kit-test",
      "node.name": "node-1",
      "discovery.type": "single-node",
      "network.host": "127.0.0.1",
      "http.port": this.port,
      // The transport port is only bound, never used by a single node; a range lets it find a free one.
      "transport.port": "29300-29400",
      "path.data": join(this.dir, "data"),
      "path.logs": join(this.dir, "logs"),
      // Tests fill the disk of a shared machine less than a real cluster would; do not let watermarks block writes.
      "cluster.routing.allocation.disk.threshold_enabled": false,
      "action.auto_create_index": true,
    };
    await writeFile(
      join(config, "opensearch.yml"),
      `${Object.entries(settings)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join("\n")}\n`,
    );
    await writeFile(
      join(config, "log4j2.properties"),
      [
        "status = error",
        "appender.out.type = Console",
        "appender.out.name = out",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = [%d{ISO8601}][%-5p][%c{1.}] %m%n",
        "rootLogger.level = warn",
        "rootLogger.appenderRef.out.ref = out",
        "logger.node.name = org.opensearch.node.Node",
        "logger.node.level = info",
        "",
      ].join("\n"),
    );
    if (this.asRoot) {
      // The node writes its keystore into config/ on first start.
      await chmod(this.dir, 0o755);
      for (const d of ["config", "data", "logs"]) await chown(join(this.dir, d), NOBODY, NOBODY);
    }
  }

  private async start(options: OpenSearchTestNodeOptions): Promise<void> {
    const heap = options.heap ?? "384m";
    const java = [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      "-XX:+UseSerialGC",
      // C1 only: the node starts faster and tests index a handful of documents.
      "-XX:TieredStopAtLevel=1",
      "-XX:-UsePerfData",
      "-Djava.awt.headless=true",
      `-Djava.io.tmpdir=${join(this.dir, "data")}`,
      `-Dopensearch.path.home=${this.dir}`,
      `-Dopensearch.path.conf=${join(this.dir, "config")}`,
      "-Dopensearch.distribution.type=tar",
      "-Dlog4j2.disable.jmx=true",
      "-cp",
      `${join(this.dir, "lib")}/*`,
      "org.opensearch.bootstrap.OpenSearch",
    ];
    // setpriv (util-linux, always on Debian) drops root when needed and ties the node's life to this process.
    const setpriv = existsSync("/usr/bin/setpriv");
    const drop = this.asRoot ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"] : [];
    if (this.asRoot && !setpriv)
      throw new Error("running as root needs /usr/bin/setpriv to start OpenSearch");
    const [cmd, args] = setpriv
      ? ["/usr/bin/setpriv", [...drop, "--pdeathsig", "KILL", "java", ...java]]
      : ["java", java];
    const logFile = join(this.dir, "node.log");
    const log = createWriteStream(logFile);
    const child = spawn(cmd, args, { cwd: this.dir, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    const exitCode = trackChild(child, () => {
      if (this.child === child) this.child = undefined;
    });

    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (exitCode() !== undefined) {
        throw new Error(
          `OpenSearch exited with ${exitCode()} while starting; log: ${await tailFile(logFile, 3000)}`,
        );
      }
      const health = await fetch(`${this.url}/_cluster/health?wait_for_status=green&timeout=1s`).catch(
        () => undefined,
      );
      if (health?.ok) return;
      await sleep(250);
    }
    throw new Error(`OpenSearch did not answer within the timeout; log: ${await tailFile(logFile, 3000)}`);
  }

  /** Sends a JSON request and returns the parsed answer; a non-2xx status throws with the server's reason. */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Kills the node and deletes its dirs: its data is throw-away, and a clean shutdown takes seconds longer. */
  async destroy(): Promise<void> {
    const child = this.child;
    if (child) {
      const exited = exitOf(child);
      child.kill("SIGKILL");
      await exited;
      this.child = undefined;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
