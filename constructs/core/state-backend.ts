import { posix, win32 } from "node:path";
import {
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  LocalBackend,
  S3Backend,
  type TerraformRemoteState,
  type TerraformStack,
} from "cdktf";
import type { Construct } from "constructs";

/**
 * The project root seen from the folder Terraform runs a stack in: `cdktf deploy`, `diff` and `destroy` (and
 * scripts/stacks.ts through them) run Terraform in `cdktf.out/stacks/<stack>/`. A fixed relative path keeps the
 * synthesized JSON independent of where the checkout lives, and since every stack runs at the same depth, the
 * `terraform_remote_state` that cdktf copies from the producer's backend into a consumer reads the same file.
 */
export const PROJECT_ROOT_FROM_STACK_DIR = "../../..";

/** The default local state file, relative to the project root. */
export const DEFAULT_LOCAL_STATE_PATH = "terraform.{stack}.tfstate";

export interface StateBackendProps {
  /** Where the stack's state lives. @default "local" */
  readonly type?: "local" | "s3";
  /** State bucket; required for `s3`. @default - none */
  readonly bucket?: string;
  /** Key prefix: the state object is `<keyPrefix>/<stackName>.tfstate`. @default "mlops-platform" */
  readonly keyPrefix?: string;
  /** Region of the state bucket. @default - required for `s3` */
  readonly region?: string;
  /** KMS key for state objects (server-side encryption is on regardless). @default - the bucket's default key */
  readonly kmsKeyArn?: string;
  /** S3-native locking with a lock object next to the state (Terraform ≥ 1.10, OpenTofu ≥ 1.10). @default true */
  readonly useLockfile?: boolean;
  /**
   * Local state file; `{stack}` is replaced by the stack name. Relative paths are relative to the project root
   * (the folder holding cdktf.json and cdktf.out); absolute paths are used as they are.
   * @default "terraform.{stack}.tfstate"
   */
  readonly path?: string;
}

/**
 * Configures a stack's Terraform backend. S3 state is always encrypted and, by default, locked with S3's
 * conditional writes (`use_lockfile`) instead of a DynamoDB table. cdktf 0.21's S3Backend has no
 * `useLockfile` option, so it is set with an override on the synthesized backend block.
 */
export function configureStateBackend(
  stack: TerraformStack,
  stackName: string,
  props: StateBackendProps = {},
): void {
  const location = stateLocation(stackName, props);
  if (location.type === "local") {
    new LocalBackend(stack, { path: location.path });
    return;
  }
  const backend = new S3Backend(stack, {
    bucket: location.bucket,
    key: location.key,
    region: location.region,
    encrypt: true,
    kmsKeyId: props.kmsKeyArn,
  });
  if (props.useLockfile ?? true) backend.addOverride("use_lockfile", true);
}

/** Where a stack's state lives: the local file, or the S3 bucket, key and region. */
export type StateLocation =
  | { readonly type: "local"; readonly path: string }
  | { readonly type: "s3"; readonly bucket: string; readonly key: string; readonly region: string };

/** The state location `configureStateBackend` gives `stackName`; fails like it on a bucket or region missing. */
export function stateLocation(stackName: string, props: StateBackendProps = {}): StateLocation {
  if ((props.type ?? "local") === "local") {
    return { type: "local", path: localStatePath(props.path ?? DEFAULT_LOCAL_STATE_PATH, stackName) };
  }
  if (!props.bucket)
    throw new Error(`stateBackend.bucket: got nothing; expected the S3 bucket for ${stackName}'s state`);
  if (!props.region) throw new Error(`stateBackend.region: got nothing; expected the state bucket's region`);
  return {
    type: "s3",
    bucket: props.bucket,
    key: `${props.keyPrefix ?? "mlops-platform"}/${stackName}.tfstate`,
    region: props.region,
  };
}

/**
 * A `terraform_remote_state` reading the state `configureStateBackend` wrote for `stackName` with the same
 * props: another app (a team's own stack) reads a stack's outputs without a cdktf cross-stack reference.
 * A relative local path is resolved from the reading stack's folder, like the backend's: the reading app must
 * share the project root, or give an absolute `path`.
 */
export function remoteStackState(
  scope: Construct,
  id: string,
  stackName: string,
  props: StateBackendProps = {},
): TerraformRemoteState {
  const location = stateLocation(stackName, props);
  if (location.type === "local") return new DataTerraformRemoteStateLocal(scope, id, { path: location.path });
  return new DataTerraformRemoteStateS3(scope, id, {
    bucket: location.bucket,
    key: location.key,
    region: location.region,
  });
}

/**
 * The local backend's `path` as Terraform needs it: `{stack}` replaced, and a relative path rewritten to be
 * relative to the stack's working directory, where Terraform resolves it (cdktf writes it verbatim into both
 * the backend and every consumer's `terraform_remote_state`).
 */
export function localStatePath(template: string, stackName: string): string {
  const path = template.replaceAll("{stack}", stackName);
  if (posix.isAbsolute(path) || win32.isAbsolute(path)) return path;
  return posix.join(PROJECT_ROOT_FROM_STACK_DIR, path);
}
