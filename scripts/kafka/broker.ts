/**
 * A real single-node Apache Kafka (KRaft broker + controller) for tests, run from the Maven Central jars that
 * `scripts/kafka/fetch.sh` puts in a cache dir. No Docker, loopback only, small heap. It can be stopped and
 * started again on the same ports and data dir, which outage tests need.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
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

export { freePort } from "../jvm/support";

const here = dirname(fileURLToPath(import.meta.url));

/** The pinned Kafka version, read from the pom so there is one source of truth. */
export const KAFKA_VERSION: string = pomProperty(join(here, "pom.xml"), "kafka.version");

/** The command that installs what the broker needs, for skip banners. */
export const KAFKA_INSTALL_HINT = "bash scripts/kafka/fetch.sh   (or: bash .ci/steps/kafka.sh)";

/** Where the jars are: $KAFKA_CLASSPATH_DIR, else the default cache dir that fetch.sh fills. */
export function kafkaClasspathDir(): string {
  return (
    process.env.KAFKA_CLASSPATH_DIR ??
    join(mlopsCacheDir(process.env.KAFKA_CACHE_DIR), `kafka-${KAFKA_VERSION}`, "libs")
  );
}

/** Why a broker cannot run here, or undefined when it can (jars present, `java` on PATH). */
export function kafkaUnavailableReason(): string | undefined {
  const dir = kafkaClasspathDir();
  const jar = `kafka_2.13-${KAFKA_VERSION}.jar`;
  if (!existsSync(dir) || !readdirSync(dir).includes(jar)) {
    return `Kafka ${KAFKA_VERSION} jars not found: expected ${jar} in ${dir}`;
  }
  if (!javaAvailable()) return "no `java` on PATH (Java 17+ is needed to run the Kafka broker)";
  return undefined;
}

export interface KafkaTestBrokerOptions {
  /** JVM max heap; the broker needs little for tests. */
  readonly heapMax?: string;
  /** How long `start()` waits for the broker to report it has started. */
  readonly startTimeoutMs?: number;
  /** Extra server.properties entries (override the defaults). */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
  /** Extra JVM options for the broker process only (not the storage format tool), e.g. a `-javaagent:`. */
  readonly jvmArgs?: readonly string[];
  /**
   * More client listeners on free loopback ports, name → security protocol (SSL, SASL_SSL, ...), next to the
   * PLAINTEXT one (which stays the inter-broker listener). Their settings go in `properties` with the usual
   * `listener.name.<lowercase name>.` prefix; `listenerBootstrap(name)` gives clients the address.
   */
  readonly listeners?: Readonly<Record<string, string>>;
  /** Extra arguments of the storage format tool, e.g. `--add-scram SCRAM-SHA-512=[name=u,password=p]`. */
  readonly formatArgs?: readonly string[];
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Runs java so that it dies with the test process even when that is killed: util-linux's setpriv (always on
 * Debian) sets the parent-death signal and then execs java under the same pid.
 */
function spawnJava(args: string[], cwd?: string): ChildProcess {
  const options = { stdio: ["ignore", "pipe", "pipe"] as ("ignore" | "pipe")[], ...(cwd ? { cwd } : {}) };
  if (existsSync("/usr/bin/setpriv")) {
    return spawn("/usr/bin/setpriv", ["--pdeathsig", "KILL", "java", ...args], options);
  }
  return spawn("java", args, options);
}

export class KafkaTestBroker {
  private child: ChildProcess | undefined;
  private starts = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly controllerPort: number,
    private readonly options: KafkaTestBrokerOptions,
    /** Port of each extra listener. */
    private readonly listenerPorts: ReadonlyMap<string, number> = new Map(),
  ) {}

  /** Formats storage in a new temp dir on two free ports, then starts the broker and waits until it is up. */
  static async create(options: KafkaTestBrokerOptions = {}): Promise<KafkaTestBroker> {
    const reason = kafkaUnavailableReason();
    if (reason) throw new Error(`${reason}; install with: ${KAFKA_INSTALL_HINT}`);
    // A port found free can be taken by another process before the broker binds it: then try new ports.
    for (let attempt = 1; ; attempt++) {
      const dir = await mkdtemp(join(tmpdir(), "mlops-kafka-"));
      const taken = new Set<number>();
      const nextPort = async () => {
        let p = await freePort();
        while (taken.has(p)) p = await freePort();
        taken.add(p);
        return p;
      };
      const port = await nextPort();
      const controllerPort = await nextPort();
      const listenerPorts = new Map<string, number>();
      for (const name of Object.keys(options.listeners ?? {})) listenerPorts.set(name, await nextPort());
      const broker = new KafkaTestBroker(dir, port, controllerPort, options, listenerPorts);
      try {
        await broker.writeConfig();
        await broker.format();
        await broker.start();
        return broker;
      } catch (error) {
        await broker.destroy();
        if (attempt >= 3 || !/already in use|BindException/i.test(String(error))) throw error;
      }
    }
  }

  /** `host:port` for clients. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** `host:port` of an extra listener named in the options. */
  listenerBootstrap(name: string): string {
    const port = this.listenerPorts.get(name);
    if (port === undefined) throw new Error(`kafka test broker has no listener ${name}`);
    return `127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  private get propertiesFile(): string {
    return join(this.dir, "server.properties");
  }

  private async writeConfig(): Promise<void> {
    const extra = [...this.listenerPorts].map(([name, port]) => ({
      name,
      address: `${name}://127.0.0.1:${port}`,
      protocol: this.options.listeners?.[name] ?? "PLAINTEXT",
    }));
    const props: Record<string, string | number | boolean> = {
      "process.roles": "broker,controller",
      "node.id": 1,
      "controller.quorum.voters": `1@127.0.0.1:${this.controllerPort}`,
      listeners: [
        `PLAINTEXT://127.0.0.1:${this.port}`,
        `CONTROLLER://127.0.0.1:${this.controllerPort}`,
        ...extra.map((l) => l.address),
      ].join(","),
      "advertised.listeners": [`PLAINTEXT://127.0.0.1:${this.port}`, ...extra.map((l) => l.address)].join(
        ",",
      ),
      "controller.listener.names": "CONTROLLER",
      "listener.security.protocol.map": [
        "PLAINTEXT:PLAINTEXT",
        "CONTROLLER:PLAINTEXT",
        ...extra.map((l) => `${l.name}:${l.protocol}`),
      ].join(","),
      "inter.broker.listener.name": "PLAINTEXT",
      "log.dirs": join(this.dir, "data"),
      "num.partitions": 1,
      // Single node: every internal topic has one replica, and few partitions so coordinators load fast.
      "offsets.topic.replication.factor": 1,
      "offsets.topic.num.partitions": 1,
      "transaction.state.log.replication.factor": 1,
      "transaction.state.log.min.isr": 1,
      "transaction.state.log.num.partitions": 1,
      "share.coordinator.state.topic.replication.factor": 1,
      "share.coordinator.state.topic.min.isr": 1,
      "share.coordinator.state.topic.num.partitions": 1,
      "group.initial.rebalance.delay.ms": 0,
      // Clients must create their topics explicitly, so a missing topic is a visible error.
      "auto.create.topics.enable": false,
      "num.network.threads": 2,
      "num.io.threads": 2,
      "background.threads": 2,
      "num.recovery.threads.per.data.dir": 1,
      ...this.options.properties,
    };
    const text = Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n");
    await writeFile(this.propertiesFile, `${text}\n`);
    // Broker logs go to a file per start; INFO from the server class carries the "started" line we wait for.
    await writeFile(
      join(this.dir, "log4j2.properties"),
      [
        "status = warn",
        "appender.out.type = Console",
        "appender.out.name = out",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = warn",
        "rootLogger.appenderRef.out.ref = out",
        "logger.server.name = kafka.server.KafkaRaftServer",
        "logger.server.level = info",
        "",
      ].join("\n"),
    );
  }

  private javaArgs(mainClass: string, ...args: string[]): string[] {
    return [
      ...(mainClass === "kafka.Kafka" ? (this.options.jvmArgs ?? []) : []),
      `-Xmx${this.options.heapMax ?? "512m"}`,
      "-Xms64m",
      "-XX:+UseSerialGC",
      // C1 only: the broker starts in about half the time and tests move little data.
      "-XX:TieredStopAtLevel=1",
      "-XX:-UsePerfData",
      "-Djava.awt.headless=true",
      "-Djava.net.preferIPv4Stack=true",
      `-Dlog4j2.configurationFile=${join(this.dir, "log4j2.properties")}`,
      "-cp",
      `${kafkaClasspathDir()}/*`,
      mainClass,
      ...args,
    ];
  }

  private async format(): Promise<void> {
    // A Kafka cluster id is a UUID in URL-safe base64 without padding; like Kafka's own Uuid.randomUuid(), avoid
    // a leading "-", which the tool's argument parser would take for an option.
    let clusterId = randomBytes(16).toString("base64url");
    while (clusterId.startsWith("-")) clusterId = randomBytes(16).toString("base64url");
    await mkdir(join(this.dir, "data"), { recursive: true });
    const args = this.javaArgs(
      "kafka.tools.StorageTool",
      "format",
      "-t",
      clusterId,
      "-c",
      this.propertiesFile,
      ...(this.options.formatArgs ?? []),
    );
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawnJava(args);
      let out = "";
      child.stdout?.on("data", (d) => (out += d));
      child.stderr?.on("data", (d) => (out += d));
      child.once("error", reject);
      child.once("exit", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`kafka StorageTool format exited ${code}: ${out}`)),
      );
    });
    if (!/Formatting/.test(output)) throw new Error(`kafka StorageTool format said: ${output}`);
  }

  /** Starts the broker (same ports and data dir as before) and waits until it reports it has started. */
  async start(): Promise<void> {
    if (this.child) return;
    this.starts += 1;
    const logFile = join(this.dir, `broker-${this.starts}.log`);
    const log = createWriteStream(logFile);
    const child = spawnJava(this.javaArgs("kafka.Kafka", this.propertiesFile), this.dir);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    const exitCode = trackChild(child, () => {
      if (this.child === child) this.child = undefined;
    });

    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (exitCode() !== undefined) {
        throw new Error(
          `kafka broker exited with ${exitCode()} while starting; log: ${await tailFile(logFile)}`,
        );
      }
      const text = await readFile(logFile, "utf8").catch(() => "");
      if (/Kafka Server started/.test(text) && (await portAccepts(this.port))) return;
      await sleep(200);
    }
    await this.stop();
    throw new Error(`kafka broker did not start within the timeout; log: ${await tailFile(logFile)}`);
  }

  /** Stops the broker; SIGTERM lets it shut down cleanly, SIGKILL simulates a crash. */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM", timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = exitOf(child);
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the broker and deletes its data dir. */
  async destroy(): Promise<void> {
    await this.stop("SIGKILL");
    await rm(this.dir, { recursive: true, force: true });
  }
}
