/**
 * Where a Seldon server's model comes from. Seldon's agent fetches a Model's `storageUri` with its rclone sidecar
 * and lays it out for the server; rclone knows object stores, not MLflow's `models:/` registry references (only
 * the reference service itself resolves those). So under Seldon every version the deployment serves is an S3
 * folder holding `model.onnx` and `profile.json`, read with the pod's own role (IRSA / Pod Identity).
 */

/** The rclone remote the agent resolves `s3://…` storage URIs with (the URI's scheme names the remote). */
export const SELDON_RCLONE_REMOTE = "s3";

/**
 * The agent's rclone remote for S3: credentials from the environment (`env_auth`), i.e. the web identity token
 * (IRSA) or the Pod Identity agent the pod's service account gets, never static keys. Given to the agent as raw
 * rclone config in its `agent.yaml` rather than as a Secret (`config_secrets`): the agent reads Secrets through
 * the Kubernetes API, and the model server pods mount no API token.
 */
export function seldonRcloneS3Config(region: string): Record<string, unknown> {
  return {
    name: SELDON_RCLONE_REMOTE,
    type: "s3",
    parameters: { provider: "AWS", env_auth: "true", region },
  };
}

/**
 * The storageUri of a Seldon Model: one version's S3 folder (model.onnx and profile.json), as configured. Refuses
 * what rclone cannot fetch, such as a `models:/` reference, when the configuration was not validated (the
 * configuration itself refuses registry models with engine seldon).
 */
export function seldonStorageUri(deployment: string, source: string): string {
  if (!source.startsWith("s3://")) {
    throw new Error(
      `serving deployment ${deployment}: model source ${JSON.stringify(source)} cannot be a Seldon Model's storageUri; expected s3://<bucket>/<one version's folder> (addons.serving.deployments.${deployment}.model.uri, or the candidate's uri)`,
    );
  }
  return source;
}
