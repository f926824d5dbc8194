/**
 * The diff's data model, shared by the offline diff (two synthesized trees) and the plan summary (`terraform show
 * -json`): both become a `DiffReport`, so one renderer writes the pull-request comment and the JSON artifact.
 */

/** A JSON value as the synthesized Terraform JSON holds it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type JsonObject = { [key: string]: Json };

/** One resource, data source, output or variable of a synthesized stack. */
export interface Entry {
  /** Terraform address within the stack: `aws_s3_bucket.X`, `data.aws_iam_policy_document.Y`, `output.Z`. */
  readonly address: string;
  /** Terraform type (`aws_s3_bucket`), `output` or `variable`. */
  readonly type: string;
  readonly mode: "managed" | "data" | "output" | "variable";
  /** The construct path (cdktf's `//` metadata), when known. */
  readonly path?: string;
  /** Attributes without cdktf's metadata; JSON strings and Helm values parsed (see load.ts). */
  readonly attrs: JsonObject;
  /** The whole value is sensitive (an output or variable marked `sensitive`). */
  readonly sensitive?: boolean;
}

export interface StackSnapshot {
  readonly name: string;
  readonly entries: ReadonlyMap<string, Entry>;
  /** `moved` blocks the stack already declares (`from` → `to`). */
  readonly moved: ReadonlyMap<string, string>;
}

/** A rule-pack finding as cdktf's manifest records it (an annotation of the construct). */
export interface PolicyFinding {
  readonly ruleId: string;
  /** `error`, `warning` or `info`; a suppressed finding is `info` and carries `suppressed`. */
  readonly level: "error" | "warning" | "info";
  readonly path: string;
  readonly message: string;
  readonly suppressed?: string;
}

export interface Snapshot {
  /** Stacks in deploy order. */
  readonly stacks: readonly StackSnapshot[];
  readonly findings: readonly PolicyFinding[];
}

export type Action = "create" | "update" | "replace" | "delete" | "move" | "read";

export const ACTIONS: readonly Action[] = ["create", "update", "replace", "delete", "move", "read"];

/** `risk` gates the exit status; `notice` is for the reviewer only. */
export type Level = "risk" | "notice";

export type FlagKind = "stateful" | "security" | "version" | "capacity" | "policy" | "checkov";

export interface Flag {
  readonly kind: FlagKind;
  readonly level: Level;
  readonly message: string;
}

export interface AttributeChange {
  /** `scaling_config[0].max_size`, `values[0].image.tag`, `policy.Statement[0].Action`. */
  readonly path: string;
  /** JSON text of the value, `(redacted)`/`(redacted, changed)`, or `(known after apply)`; absent when none. */
  readonly before?: string;
  readonly after?: string;
  /** This attribute forces Terraform to replace the resource. */
  readonly forcesReplacement?: boolean;
}

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode: Entry["mode"];
  readonly action: Action;
  /** The previous address of a moved resource. */
  readonly from?: string;
  readonly path?: string;
  readonly attributes: readonly AttributeChange[];
  readonly flags: readonly Flag[];
  /** A Terraform `moved` block to add, for a resource moved without one. */
  readonly movedBlock?: string;
}

export interface StackDiff {
  readonly name: string;
  readonly changes: readonly ResourceChange[];
}

export interface PolicyDelta {
  readonly added: readonly PolicyFinding[];
  readonly removed: readonly PolicyFinding[];
}

export interface CheckovFinding {
  readonly checkId: string;
  readonly resource: string;
  readonly file: string;
}

/** One configuration's diff (the offline diff) or one plan set. */
export interface Section {
  /** `default`, the configuration file, or `terraform plan`. */
  readonly title: string;
  readonly source: "synth" | "plan";
  readonly stacks: readonly StackDiff[];
  readonly policy?: PolicyDelta;
  readonly checkov?: {
    readonly added: readonly CheckovFinding[];
    readonly removed: readonly CheckovFinding[];
  };
  /** Things the reader should know about how the diff was made (e.g. the configuration is new at head). */
  readonly notes: readonly string[];
}

export interface DiffReport {
  readonly format: "mlops-kit-diff/1";
  readonly base: string;
  readonly head: string;
  readonly sections: readonly Section[];
}
