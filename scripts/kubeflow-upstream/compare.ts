/**
 * Where each KFP component of the add-on comes from upstream (kubeflow/pipelines at the release tag), what the
 * kit deliberately drops from it, and which upstream objects it leaves out. `diffAgainstUpstream` compares a
 * `kustomize build` of a release with what the add-on synthesizes, so an upgrade shows every new env var,
 * image, port or component instead of silently missing it (see README "Kubeflow Pipelines" → Upgrading).
 */

/** Upstream env vars the kit never sets, with the reason. */
const OBJECT_STORE_KEYS = "static object-store keys (MinIO/SeaweedFS); the kit uses IRSA";
const CONFIGMAP_RELIC = "read from pipeline-install-config upstream; the kit sets the value directly";

export interface UpstreamComponent {
  /** Files under `manifests/kustomize/` the kit's typed resources mirror. */
  readonly files: readonly string[];
  /** Upstream env vars intentionally not set, with why. */
  readonly droppedEnv: Readonly<Record<string, string>>;
}

export const UPSTREAM_COMPONENTS: Readonly<Record<string, UpstreamComponent>> = {
  "ml-pipeline": {
    files: [
      "base/pipeline/ml-pipeline-apiserver-deployment.yaml",
      "base/pipeline/ml-pipeline-apiserver-role.yaml",
      "base/pipeline/ml-pipeline-apiserver-service.yaml",
    ],
    droppedEnv: {
      OBJECTSTORECONFIG_ACCESSKEY: OBJECT_STORE_KEYS,
      OBJECTSTORECONFIG_SECRETACCESSKEY: OBJECT_STORE_KEYS,
      // The "relic" DBCONFIG_* names duplicate DBCONFIG_MYSQLCONFIG_*, which the server reads.
      DBCONFIG_USER: "relic duplicate of DBCONFIG_MYSQLCONFIG_USER",
      DBCONFIG_PASSWORD: "relic duplicate of DBCONFIG_MYSQLCONFIG_PASSWORD",
      DBCONFIG_DBNAME: "relic duplicate of DBCONFIG_MYSQLCONFIG_DBNAME",
      DBCONFIG_HOST: "relic duplicate of DBCONFIG_MYSQLCONFIG_HOST",
      DBCONFIG_PORT: "relic duplicate of DBCONFIG_MYSQLCONFIG_PORT",
    },
  },
  "ml-pipeline-persistenceagent": {
    files: [
      "base/pipeline/ml-pipeline-persistenceagent-deployment.yaml",
      "base/pipeline/ml-pipeline-persistenceagent-role.yaml",
    ],
    droppedEnv: {},
  },
  "ml-pipeline-scheduledworkflow": {
    files: [
      "base/pipeline/ml-pipeline-scheduledworkflow-deployment.yaml",
      "base/pipeline/ml-pipeline-scheduledworkflow-role.yaml",
      "base/pipeline/cluster-scoped/scheduled-workflow-crd.yaml",
    ],
    droppedEnv: {},
  },
  "ml-pipeline-ui": {
    files: ["base/pipeline/ml-pipeline-ui-deployment.yaml", "base/pipeline/ml-pipeline-ui-role.yaml"],
    droppedEnv: {
      MINIO_ACCESS_KEY: OBJECT_STORE_KEYS,
      MINIO_SECRET_KEY: OBJECT_STORE_KEYS,
      MINIO_NAMESPACE: "no in-cluster MinIO",
      VIEWER_TENSORBOARD_POD_TEMPLATE_SPEC_PATH: "the viewer CRD controller (TensorBoard) is left out",
    },
  },
  "metadata-writer": {
    files: [
      "base/pipeline/metadata-writer/metadata-writer-deployment.yaml",
      "base/pipeline/metadata-writer/metadata-writer-role.yaml",
    ],
    droppedEnv: {},
  },
  "metadata-grpc-deployment": {
    files: [
      "base/metadata/base/metadata-grpc-deployment.yaml",
      "base/metadata/base/metadata-grpc-service.yaml",
    ],
    droppedEnv: { MYSQL_DATABASE: CONFIGMAP_RELIC, MYSQL_HOST: CONFIGMAP_RELIC, MYSQL_PORT: CONFIGMAP_RELIC },
  },
  "metadata-envoy-deployment": {
    files: [
      "base/metadata/base/metadata-envoy-deployment.yaml",
      "base/metadata/base/metadata-envoy-service.yaml",
    ],
    droppedEnv: {},
  },
};

/** Upstream Deployments/StatefulSets the add-on does not run, with why. */
export const OMITTED_UPSTREAM: Readonly<Record<string, string>> = {
  minio: "object store is the data-lake bucket (S3 through IRSA)",
  seaweedfs: "object store is the data-lake bucket (S3 through IRSA)",
  mysql: "RDS for MySQL by default; the kit's own in-cluster MySQL otherwise",
  "cache-server":
    "v1 caching webhook (needs a cluster-wide mutating webhook and a cert job); v2 caching is in the driver",
  "cache-deployer-deployment": "creates the cache webhook certificate with kubectl at run time",
  "ml-pipeline-viewer-crd": "TensorBoard viewers (cluster-scoped Viewer CRD); not needed for pipelines",
  "ml-pipeline-visualizationserver": "optional Python visualizations (runs arbitrary notebook code)",
  "workflow-controller": "installed from the pinned argo-workflows chart instead of KFP's vendored manifests",
  "ml-pipeline-driver": "driver as an Argo executor plugin (optional mode); drivers run as step pods",
  "proxy-agent": "Google Cloud inverse proxy (GCP only)",
  "kubeflow-pipelines-profile-controller":
    "multi-user mode (Profiles, Istio) is out of scope: single-user install",
};

export interface UpstreamFinding {
  readonly component: string;
  readonly message: string;
}

type Obj = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function podContainers(o: Obj): Obj[] {
  const spec = (o.spec as Obj | undefined)?.template as Obj | undefined;
  return (((spec?.spec as Obj | undefined)?.containers as Obj[] | undefined) ?? []).filter(isPlainObject);
}

const envNames = (c: Obj) => ((c.env as Obj[] | undefined) ?? []).map((e) => String(e.name));
const ports = (c: Obj) =>
  ((c.ports as Obj[] | undefined) ?? []).map((p) => Number(p.containerPort)).sort((a, b) => a - b);
const repo = (image: string) => image.replace(/:[^:/]+$/, "");
const tag = (image: string) => /:([^:/]+)$/.exec(image)?.[1] ?? "";

/**
 * Compares upstream workloads (objects of `kustomize build`) with the kit's (Kubernetes objects, e.g. from
 * `typedResourceToObject`). Reports upstream components neither mirrored nor omitted, image repository or tag
 * changes, env vars upstream sets that the kit neither sets nor documents as dropped, and port changes.
 */
export function diffAgainstUpstream(
  upstream: readonly unknown[],
  kit: readonly unknown[],
): UpstreamFinding[] {
  const workloads = (list: readonly unknown[]) =>
    new Map(
      list
        .filter((o): o is Obj => isPlainObject(o) && ["Deployment", "StatefulSet"].includes(String(o.kind)))
        .map((o) => [String((o.metadata as Obj).name), o] as const),
    );
  const up = workloads(upstream);
  const mine = workloads(kit);
  const out: UpstreamFinding[] = [];
  for (const [name, u] of up) {
    const k = mine.get(name);
    if (!k) {
      if (!(name in OMITTED_UPSTREAM)) {
        out.push({
          component: name,
          message: "new upstream component: mirror it in the add-on or list it in OMITTED_UPSTREAM",
        });
      }
      continue;
    }
    const dropped = UPSTREAM_COMPONENTS[name]?.droppedEnv ?? {};
    const kc = podContainers(k);
    podContainers(u).forEach((uc, i) => {
      const mc = kc.find((c) => c.name === uc.name) ?? kc[i];
      if (!mc) {
        out.push({ component: name, message: `container ${String(uc.name)} is not mirrored` });
        return;
      }
      const ui = String(uc.image);
      const mi = String(mc.image);
      if (repo(ui) !== repo(mi))
        out.push({ component: name, message: `image ${repo(ui)} upstream, ${repo(mi)} in the kit` });
      else if (tag(ui) !== tag(mi))
        out.push({ component: name, message: `image tag ${tag(ui)} upstream, ${tag(mi)} in the kit` });
      const kitEnv = new Set(envNames(mc));
      for (const e of envNames(uc)) {
        if (!kitEnv.has(e) && !(e in dropped))
          out.push({ component: name, message: `env ${e} set upstream, not by the kit` });
      }
      const [pu, pk] = [ports(uc), ports(mc)];
      if (JSON.stringify(pu) !== JSON.stringify(pk)) {
        out.push({
          component: name,
          message: `ports ${pu.join(",") || "none"} upstream, ${pk.join(",") || "none"} in the kit`,
        });
      }
    });
  }
  return out;
}
