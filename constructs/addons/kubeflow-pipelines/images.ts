/**
 * Every container image of the Kubeflow Pipelines add-on, pinned per supported KFP release in ONE place.
 * Tags come from the upstream kustomize output of the release (`manifests/kustomize/env/platform-agnostic`
 * at tag `<version>`): the `images:` list of `base/pipeline`, `base/metadata/base`, and the
 * `V2_DRIVER_IMAGE`/`V2_LAUNCHER_IMAGE` env of `ml-pipeline-apiserver-deployment.yaml`. Upgrading: add an entry
 * here (see README "Kubeflow Pipelines", section Upgrading), make it the default in `kubeflow-config.ts`.
 */
export interface KfpImages {
  readonly apiServer: string;
  readonly persistenceAgent: string;
  readonly scheduledWorkflow: string;
  readonly frontend: string;
  readonly metadataWriter: string;
  readonly metadataEnvoy: string;
  /** ML Metadata gRPC server (from the TFX project, versioned independently of KFP). */
  readonly metadataServer: string;
  /** Run by Argo inside each pipeline step (not a Deployment of the add-on). */
  readonly driver: string;
  readonly launcher: string;
  /** The in-cluster MySQL (`metadata.store: "in-cluster"`); the same major version as the RDS default. */
  readonly mysql: string;
}

const kfp = (component: string, version: string) => `ghcr.io/kubeflow/kfp-${component}:${version}`;

function release(version: string, mlmd: string): KfpImages {
  return {
    apiServer: kfp("api-server", version),
    persistenceAgent: kfp("persistence-agent", version),
    scheduledWorkflow: kfp("scheduled-workflow-controller", version),
    frontend: kfp("frontend", version),
    metadataWriter: kfp("metadata-writer", version),
    metadataEnvoy: kfp("metadata-envoy", version),
    metadataServer: `gcr.io/tfx-oss-public/ml_metadata_store_server:${mlmd}`,
    driver: kfp("driver", version),
    launcher: kfp("launcher", version),
    mysql: "docker.io/library/mysql:8.4.7",
  };
}

/** Supported KFP releases → images. The first key is the default (`KFP_DEFAULT_VERSION`). */
export const KFP_RELEASES = {
  // 2.17.x: the first line that declares Argo Workflows 4.0 support (kubeflow/pipelines#13204), which the
  // pinned argo-workflows chart 1.0.18 (Argo v4.0.6) needs.
  "2.17.1": release("2.17.1", "1.14.0"),
  "2.17.0": release("2.17.0", "1.14.0"),
} as const satisfies Record<string, KfpImages>;

export type KfpVersion = keyof typeof KFP_RELEASES;
export const KFP_VERSIONS = Object.keys(KFP_RELEASES) as KfpVersion[];
export const KFP_DEFAULT_VERSION: KfpVersion = "2.17.1";

export function kfpImages(version: KfpVersion): KfpImages {
  return KFP_RELEASES[version];
}
