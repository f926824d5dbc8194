import { LocalBackend, S3Backend, type TerraformStack } from "cdktf";

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
  /** Local state file; `{stack}` is replaced by the stack name. @default "terraform.{stack}.tfstate" */
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
  const type = props.type ?? "local";
  if (type === "local") {
    new LocalBackend(stack, {
      path: (props.path ?? "terraform.{stack}.tfstate").replace("{stack}", stackName),
    });
    return;
  }
  if (!props.bucket)
    throw new Error(`stateBackend.bucket: got nothing; expected the S3 bucket for ${stackName}'s state`);
  if (!props.region) throw new Error(`stateBackend.region: got nothing; expected the state bucket's region`);
  const backend = new S3Backend(stack, {
    bucket: props.bucket,
    key: `${props.keyPrefix ?? "mlops-platform"}/${stackName}.tfstate`,
    region: props.region,
    encrypt: true,
    kmsKeyId: props.kmsKeyArn,
  });
  if (props.useLockfile ?? true) backend.addOverride("use_lockfile", true);
}
