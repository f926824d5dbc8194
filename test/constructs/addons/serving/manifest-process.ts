/**
 * From a synthesized container spec to a local process, mechanically: what Kubernetes and the container runtime
 * would do with the spec (image ENTRYPOINT/CMD/WORKDIR/ENV under the container's command/args/workingDir/env,
 * env valueFrom, Secret and emptyDir mounts, named probe ports), with the cluster replaced by loopback stand-ins.
 * Anything it does not know how to map throws, naming the field: a spec that grows a new kind of value must be
 * taught here, never silently dropped.
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import type { Json } from "../../../support/manifests";

/** What the container runtime takes from the image (the final stage of its Dockerfile). */
export interface ImageDefaults {
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** The image's filesystem laid out locally: image path `workdir` is this directory. */
  readonly root: string;
  /** The temp dir holding the replayed stages (to remove after use). */
  readonly tempDir: string;
}

/** The pod around the container and the loopback stand-ins for the cluster. */
export interface PodContext {
  /** The pod's own address (a loopback address of its own): `0.0.0.0` and `status.podIP` become it. */
  readonly podIp: string;
  readonly podName: string;
  readonly namespace: string;
  /** Cluster Services by `<name>.<namespace>` → loopback `host:port` of the real thing started by the test. */
  readonly services: Readonly<Record<string, string>>;
  /** Secrets of the pod's namespace by name → key → content (as the platform's controllers would create them). */
  readonly secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Where mounts land: a mount path P becomes `<root>/P`. */
  readonly root: string;
}

export interface LocalProcess {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Container ports by name (and by their own number). */
  readonly ports: ReadonlyMap<string, number>;
  /** Every probe's URL on the pod address, by probe field (readinessProbe, livenessProbe, startupProbe). */
  readonly probes: Readonly<Record<string, string>>;
}

class Unmappable extends Error {
  constructor(field: string, value: unknown, why: string) {
    super(`cannot map ${field} = ${JSON.stringify(value)}: ${why}`);
  }
}

const CLUSTER_HOST =
  /\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?(:\d+)?/g;

/** The pod's view of the volumes the container mounts, written under `ctx.root`; mount path → local dir. */
function mountVolumes(pod: Json, container: Json, ctx: PodContext): Map<string, string> {
  const mounts = new Map<string, string>();
  const volumes = new Map(((pod.volumes ?? []) as Json[]).map((v) => [v.name as string, v]));
  for (const [i, m] of ((container.volumeMounts ?? []) as Json[]).entries()) {
    const field = `volumeMounts[${i}]`;
    if (m.subPath || m.subPathExpr)
      throw new Unmappable(`${field}.subPath`, m.subPath ?? m.subPathExpr, "not supported");
    const volume = volumes.get(m.name);
    if (!volume) throw new Unmappable(`${field}.name`, m.name, "no pod volume of that name");
    const local = join(ctx.root, m.mountPath);
    mkdirSync(local, { recursive: true });
    if (volume.emptyDir || volume.persistentVolumeClaim) {
      // nothing to write: an empty directory (a StatefulSet's claim from a volumeClaimTemplate starts empty)
    } else if (volume.secret) {
      const name = volume.secret.secretName as string;
      const data = ctx.secrets[name];
      if (!data)
        throw new Unmappable(
          `volume ${m.name}.secret.secretName`,
          name,
          "no such Secret in the pod's namespace",
        );
      const items =
        (volume.secret.items as Json[] | undefined) ?? Object.keys(data).map((key) => ({ key, path: key }));
      for (const item of items) {
        const content = data[item.key];
        if (content === undefined)
          throw new Unmappable(
            `volume ${m.name}.secret.items.key`,
            item.key,
            `Secret ${name} has no such key`,
          );
        mkdirSync(dirname(join(local, item.path)), { recursive: true });
        writeFileSync(join(local, item.path), content, { mode: 0o600 });
      }
    } else {
      throw new Unmappable(
        `volume ${m.name}`,
        Object.keys(volume),
        "only emptyDir, persistentVolumeClaim and secret volumes are mapped",
      );
    }
    mounts.set(m.mountPath, local);
  }
  return mounts;
}

/** Longest-prefix rewrite of an absolute path under one of `dirs` (container path → local path). */
function relocate(value: string, dirs: ReadonlyMap<string, string>): string {
  let best: [string, string] | undefined;
  for (const [from, to] of dirs) {
    if (
      (value === from || value.startsWith(`${from.replace(/\/$/, "")}/`)) &&
      (!best || from.length > best[0].length)
    )
      best = [from, to];
  }
  return best ? best[1] + value.slice(best[0].length) : value;
}

/** A literal env value as seen from the local process: the pod's addresses, cluster Services, mounted paths. */
function localValue(name: string, value: string, ctx: PodContext, dirs: ReadonlyMap<string, string>): string {
  if (value.includes("$(")) throw new Unmappable(`env ${name}`, value, "$(VAR) expansion is not mapped");
  if (value === "0.0.0.0" || value === "::") return ctx.podIp;
  const hosts = value.replace(CLUSTER_HOST, (_all, svc: string, _a, ns: string) => {
    const local = ctx.services[`${svc}.${ns}`];
    if (!local)
      throw new Unmappable(`env ${name}`, value, `no loopback stand-in for the cluster Service ${svc}.${ns}`);
    return local;
  });
  return value.startsWith("/") ? relocate(hosts, dirs) : hosts;
}

function fromRef(name: string, ref: Json, ctx: PodContext): string {
  if (ref.fieldRef) {
    const path = ref.fieldRef.fieldPath as string;
    const fields: Record<string, string> = {
      "metadata.name": ctx.podName,
      "metadata.namespace": ctx.namespace,
      "status.podIP": ctx.podIp,
    };
    if (fields[path] === undefined)
      throw new Unmappable(`env ${name}.valueFrom.fieldRef`, path, "unknown field");
    return fields[path];
  }
  if (ref.secretKeyRef) {
    const { name: secret, key } = ref.secretKeyRef as { name: string; key: string };
    const value = ctx.secrets[secret]?.[key];
    if (value === undefined)
      throw new Unmappable(`env ${name}.valueFrom.secretKeyRef`, ref.secretKeyRef, "no such Secret key");
    return value;
  }
  throw new Unmappable(`env ${name}.valueFrom`, ref, "only fieldRef and secretKeyRef are mapped");
}

/** Turns the container spec of `pod` into the local process the image would run with it. */
export function containerProcess(
  pod: Json,
  container: Json,
  image: ImageDefaults,
  ctx: PodContext,
): LocalProcess {
  for (const field of ["envFrom", "lifecycle"]) {
    if (container[field] !== undefined) throw new Unmappable(field, container[field], "not mapped");
  }
  const dirs = mountVolumes(pod, container, ctx);
  const imageDirs = new Map([[image.workdir, image.root], ...dirs]);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(image.env)) env[k] = localValue(k, v, ctx, imageDirs);
  for (const e of (container.env ?? []) as Json[]) {
    if (e.value !== undefined && e.valueFrom !== undefined)
      throw new Unmappable(`env ${e.name}`, e, "both value and valueFrom");
    env[e.name] = e.valueFrom
      ? fromRef(e.name, e.valueFrom, ctx)
      : localValue(e.name, String(e.value ?? ""), ctx, imageDirs);
  }
  // Kubernetes: command replaces ENTRYPOINT (and drops CMD), args replace CMD.
  const command = (container.command as string[] | undefined) ?? image.entrypoint;
  const args = (container.args as string[] | undefined) ?? (container.command ? [] : image.cmd);
  const argv = [...command, ...args];
  if (argv[0] !== "node")
    throw new Unmappable("command", argv, "only the image's node entry point is mapped");
  const cwd = relocate((container.workingDir as string | undefined) ?? image.workdir, imageDirs);

  const ports = new Map<string, number>();
  for (const p of (container.ports ?? []) as Json[]) {
    if ((p.protocol ?? "TCP") !== "TCP")
      throw new Unmappable(`ports ${p.name}.protocol`, p.protocol, "TCP only");
    ports.set(String(p.containerPort), p.containerPort);
    if (p.name) ports.set(p.name, p.containerPort);
  }
  const probes: Record<string, string> = {};
  for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
    const spec = container[probe] as Json | undefined;
    if (!spec) continue;
    const http = spec.httpGet as Json | undefined;
    if (!http) throw new Unmappable(probe, spec, "only httpGet probes are mapped");
    if (http.host || (http.scheme && http.scheme !== "HTTP") || http.httpHeaders)
      throw new Unmappable(`${probe}.httpGet`, http, "host, scheme and headers are not mapped");
    const port = ports.get(String(http.port));
    if (port === undefined)
      throw new Unmappable(`${probe}.httpGet.port`, http.port, "not a port of the container");
    probes[probe] = `http://${ctx.podIp}:${port}${http.path ?? "/"}`;
  }
  return {
    argv: [process.execPath, ...argv.slice(1).map((a) => relocate(a, imageDirs))],
    cwd,
    env,
    ports,
    probes,
  };
}

/** The final stage's WORKDIR, ENV, ENTRYPOINT and CMD of a Dockerfile, and the COPY lines of every stage. */
export function parseDockerfile(text: string): {
  stages: {
    name?: string;
    workdir: string;
    env: Record<string, string>;
    copies: string[][];
    runs: string[];
  }[];
  entrypoint: string[];
  cmd: string[];
} {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim());
  const stages: ReturnType<typeof parseDockerfile>["stages"] = [];
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  for (const line of lines) {
    const [op = "", ...rest] = line.split(/\s+/);
    const arg = line.slice(op.length).trim();
    const stage = stages[stages.length - 1];
    if (op === "FROM")
      stages.push({ name: /\bAS\s+(\S+)/i.exec(arg)?.[1], workdir: "/", env: {}, copies: [], runs: [] });
    else if (!stage || op === "" || op.startsWith("#")) continue;
    else if (op === "WORKDIR") stage.workdir = posix.resolve(stage.workdir, arg);
    else if (op === "ENV")
      for (const m of arg.matchAll(/(\w+)=(\S+)/g)) stage.env[m[1] as string] = m[2] as string;
    else if (op === "COPY") stage.copies.push(rest);
    else if (op === "RUN") stage.runs.push(arg);
    else if (op === "CMD") cmd = JSON.parse(arg) as string[];
    else if (op === "ENTRYPOINT") entrypoint = JSON.parse(arg) as string[];
  }
  return { stages, entrypoint, cmd };
}

/** One COPY line laid out under `root` (the stage's filesystem): files copied, context directories symlinked. */
function layCopy(
  copy: string[],
  workdir: string,
  root: string,
  sourceOf: (from: string | undefined, src: string) => string,
): void {
  const from = copy.find((c) => c.startsWith("--from="))?.slice("--from=".length);
  const paths = copy.filter((c) => !c.startsWith("--"));
  const dst = paths.pop() as string;
  for (const src of paths) {
    const target = join(
      root,
      posix.resolve(workdir, dst.endsWith("/") ? posix.join(dst, posix.basename(src)) : dst),
    );
    const source = sourceOf(from, src);
    mkdirSync(dirname(target), { recursive: true });
    // A stage's own output is copied, as Docker does: the entry point compares its real path with argv[1].
    if (from && !lstatSync(source).isSymbolicLink()) cpSync(source, target, { recursive: true });
    else if (statSync(source).isDirectory()) symlinkSync(source, target);
    else copyFileSync(source, target);
  }
}

/**
 * The image's filesystem, replayed without Docker: each named stage's COPY lines from the build context and its
 * esbuild RUN line (the bundle the image runs), with the workspace's node_modules standing in for `npm ci`
 * (dev dependencies included); then the final stage's COPY lines from the context and those stages.
 */
export function replayImage(repo: string, dockerfile: string): ImageDefaults {
  const parsed = parseDockerfile(readFileSync(join(repo, dockerfile), "utf8"));
  const final = parsed.stages[parsed.stages.length - 1];
  if (!final) throw new Error(`${dockerfile}: no stage`);
  const out = mkdtempSync(join(tmpdir(), "serving-image-"));
  const stageDirs = new Map<string, { root: string; workdir: string }>();
  const sourceOf = (from: string | undefined, src: string) => {
    if (!from) return join(repo, src);
    const stage = stageDirs.get(from);
    if (!stage) throw new Error(`${dockerfile}: COPY --from=${from}: no such stage before`);
    return join(stage.root, posix.resolve(stage.workdir, src));
  };
  for (const stage of parsed.stages.slice(0, -1)) {
    if (!stage.name) continue;
    const root = join(out, stage.name);
    mkdirSync(join(root, stage.workdir), { recursive: true });
    for (const copy of stage.copies) layCopy(copy, stage.workdir, root, sourceOf);
    symlinkSync(join(repo, "node_modules"), join(root, stage.workdir, "node_modules"));
    for (const run of stage.runs.filter((r) => r.includes("esbuild")))
      execFileSync("bash", ["-c", run], { cwd: join(root, stage.workdir), stdio: "pipe" });
    stageDirs.set(stage.name, { root, workdir: stage.workdir });
  }
  const root = join(out, "rootfs");
  mkdirSync(join(root, final.workdir), { recursive: true });
  for (const copy of final.copies) layCopy(copy, final.workdir, root, sourceOf);
  return {
    workdir: final.workdir,
    env: final.env,
    entrypoint: parsed.entrypoint,
    cmd: parsed.cmd,
    root: join(root, final.workdir),
    tempDir: out,
  };
}
