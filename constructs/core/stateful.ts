import type { TerraformResource } from "cdktf";

/** How the kit protects resources whose loss loses data or locks data away (buckets, keys, databases). */
export interface StatefulProtectionProps {
  /**
   * Sets Terraform's `lifecycle.prevent_destroy` on stateful resources, so a plan that would destroy one fails.
   * @default true - turned off only by the platform configuration's `sandbox: true`
   */
  readonly preventDestroy?: boolean;
}

/** Marks a resource as stateful: `prevent_destroy` unless the caller opted out. */
export function protectStateful(resource: TerraformResource, props: StatefulProtectionProps = {}): void {
  if (props.preventDestroy ?? true) {
    resource.lifecycle = { ...(resource.lifecycle ?? {}), preventDestroy: true };
  }
}
