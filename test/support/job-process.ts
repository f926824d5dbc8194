import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Json, named } from "./manifests";
import { resourcesOf, type SynthJson } from "./synth";

/** A ConfigMap's data by name, or by the Terraform reference to its name the Job's volume holds. */
function configMapData(json: SynthJson, name: string): Record<string, string> {
  const ref = /^\$\{kubernetes_config_map_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(name);
  if (!ref) return named(json, "kubernetes_config_map_v1", name).data;
  const resource = resourcesOf(json, "kubernetes_config_map_v1")[ref[1]] as Json | undefined;
  if (!resource) throw new Error(`no kubernetes_config_map_v1 ${ref[1]} (volume ${name})`);
  return resource.data;
}

/** Secret values the cluster would hold, by Secret name then key (what External Secrets or a Job wrote). */
export type ClusterSecrets = Record<string, Record<string, string>>;

export interface JobProcess {
  /** The container's command and args, with mount paths relocated under `root`. */
  readonly argv: string[];
  /** The container's env as the kubelet would resolve it (values and secretKeyRefs), nothing else. */
  readonly env: Record<string, string>;
  /** Mount path in the pod → local directory holding the ConfigMap's files. */
  readonly mounts: Record<string, string>;
}

/**
 * A synthesized Kubernetes Job (kubernetes_job_v1 named `jobName`, one container) turned into a local process
 * mechanically: its ConfigMap volumes written under `root` (each mount path relocated there), its env resolved
 * from literal values and secretKeyRefs into `secrets`. Anything it cannot resolve throws, naming the field, so a
 * test never runs a Job that differs from the manifest.
 */
export function jobProcess(
  json: SynthJson,
  jobName: string,
  secrets: ClusterSecrets,
  root: string,
): JobProcess {
  const job = named(json, "kubernetes_job_v1", jobName);
  const spec = job.spec.template.spec;
  if (spec.container.length !== 1) throw new Error(`${jobName}: expected one container`);
  const container = spec.container[0] as Json;
  const mounts: Record<string, string> = {};
  for (const m of (container.volume_mount ?? []) as Json[]) {
    const volume = (spec.volume as Json[]).find((v) => v.name === m.name);
    const configMap = volume?.config_map?.name as string | undefined;
    if (!configMap) throw new Error(`${jobName}: volume ${m.name} is not a ConfigMap (not modelled)`);
    const local = join(root, jobName, m.name);
    mkdirSync(local, { recursive: true });
    for (const [file, content] of Object.entries(configMapData(json, configMap))) {
      writeFileSync(join(local, file), content as string);
    }
    mounts[m.mount_path as string] = local;
  }
  const relocate = (arg: string) =>
    Object.entries(mounts).reduce((a, [path, local]) => a.split(path).join(local), arg);
  const env: Record<string, string> = {};
  for (const e of (container.env ?? []) as Json[]) {
    const ref = e.value_from?.secret_key_ref;
    const value = ref ? secrets[ref.name]?.[ref.key] : e.value;
    if (value === undefined || (e.value_from && !ref)) {
      throw new Error(`${jobName}: env ${e.name} refers to ${JSON.stringify(e.value_from)}, unknown`);
    }
    env[e.name] = value;
  }
  const argv = [...((container.command ?? []) as string[]), ...((container.args ?? []) as string[])].map(
    relocate,
  );
  return { argv, env, mounts };
}
