/**
 * The pod of the kit's one-shot bootstrap Jobs (database roles, OpenSearch and Kibana requests, team MLflow
 * grants): one container running a script mounted read-only from a ConfigMap, retried on failure, PSS
 * `restricted` through the pod-security helper, with requests. For the Kubernetes provider's Job and CronJob
 * resources (ids as strings); the callers keep their own names, env, images and resources.
 */
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./pod-security";

type EnvVar = {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
};

export interface ScriptPodOptions {
  /** The image's user and group. */
  readonly uid: number;
  /** @default uid */
  readonly gid?: number;
  readonly container: {
    readonly name: string;
    readonly image: string;
    readonly command: string[];
    readonly env: EnvVar[];
    readonly resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  };
  /** The ConfigMap holding the script, mounted read-only at `mountPath` as volume `volume`. */
  readonly script: { readonly volume: string; readonly configMap: string; readonly mountPath: string };
  /** Further read-only Secret volumes (name, mount path, secret and the keys it projects). */
  readonly secretVolumes?: readonly {
    readonly name: string;
    readonly mountPath: string;
    readonly secretName: string;
    readonly items: { key: string; path: string }[];
  }[];
  /** @default - the namespace's default service account */
  readonly serviceAccountName?: string;
  /** Only a script that calls the Kubernetes API needs its token. @default false */
  readonly automountServiceAccountToken?: boolean;
}

/** The pod spec: restart on failure, restricted contexts, the script and any Secret volumes mounted read-only. */
export function scriptPodSpec(o: ScriptPodOptions) {
  const secrets = o.secretVolumes ?? [];
  return {
    restartPolicy: "OnFailure",
    ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
    automountServiceAccountToken: o.automountServiceAccountToken ?? false,
    securityContext: restrictedPodSecurityContext({
      runAsUser: String(o.uid),
      runAsGroup: String(o.gid ?? o.uid),
    }),
    container: [
      {
        ...o.container,
        volumeMount: [
          { name: o.script.volume, mountPath: o.script.mountPath, readOnly: true },
          ...secrets.map((s) => ({ name: s.name, mountPath: s.mountPath, readOnly: true })),
        ],
        securityContext: restrictedContainerSecurityContext<string>(),
      },
    ],
    volume: [
      { name: o.script.volume, configMap: { name: o.script.configMap } },
      ...secrets.map((s) => ({ name: s.name, secret: { secretName: s.secretName, items: s.items } })),
    ],
  };
}

/** A Job spec around `scriptPodSpec`: 20 retries (a bootstrap waits for what it configures to come up). */
export function scriptJobSpec(labels: Record<string, string>, pod: ScriptPodOptions) {
  return { backoffLimit: 20, template: { metadata: { labels }, spec: scriptPodSpec(pod) } };
}
