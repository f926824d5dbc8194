import {
  DefaultTokenResolver,
  StringConcat,
  TerraformElement,
  TerraformOutput,
  TerraformStack,
  Tokenization,
} from "cdktf";
import type { IConstruct } from "constructs";

const RESOLVER = new DefaultTokenResolver(new StringConcat());
const resolveIn = (scope: IConstruct, value: unknown, preparing = false): unknown =>
  Tokenization.resolve(value, { scope, preparing, resolver: RESOLVER });

type Json = { [key: string]: unknown };

/**
 * A stack whose Terraform JSON is resolved once per synthesis, ahead of writing, and then written as it was
 * resolved.
 *
 * cdktf resolves every element of a stack three times in a synthesis: once in `prepareStack()` (a "preparing"
 * pass that finds cross-stack references and adds the outputs and remote states they need), once per element
 * when the stack is written, and once more over the whole merged JSON. The policy rule pack also reads every
 * resource's resolved JSON before any stack is written (so a violation stops synthesis with nothing on disk). With
 * 100 team stacks those passes were most of the synth. Here:
 * - `prepareStack()` keeps each element's fragment from the preparing pass. That pass already resolves each
 *   cross-stack reference to the remote state it registers, so a fragment is what a later resolution gives.
 * - `resolveAhead()` (the rule pack's index, as synthesis starts) assembles the stack from those fragments, as
 *   cdktf's `toTerraform()` does, resolving only elements added since (cross-stack outputs another stack's
 *   preparing pass registered here, remote states) and the metadata block. With stack-level overrides it uses
 *   cdktf's own `toTerraform()`.
 * - The next `toTerraform()` (the synthesizer's) returns that same object.
 *
 * The rule pack calls `resolveAhead()` only when no aspect but its own is on the stack, its ancestors or its
 * constructs, so nothing changes the stack between the preparing pass and writing. Any other `toTerraform()` call
 * forgets the fragments and resolves anew, so a later change to the stack is never hidden behind them.
 */
export class SnapshotStack extends TerraformStack {
  private resolved?: Json;
  private prepared?: Map<TerraformElement, unknown>;
  private stackOverrides = false;

  override prepareStack(): void {
    this.ensureBackendExists();
    // cdktf's preparing pass, whose results it discards; the list is taken first, as cdktf does, so elements the
    // pass adds (remote states for incoming references) are resolved when assembled.
    const prepared = new Map<TerraformElement, unknown>();
    for (const element of terraformElements(this))
      prepared.set(element, resolveIn(this, element.toTerraform(), true));
    this.prepared = prepared;
  }

  override addOverride(path: string, value: unknown): void {
    this.stackOverrides = true;
    super.addOverride(path, value);
  }

  /** The stack's Terraform JSON, resolved now; the next `toTerraform()` (the synthesizer's) returns this object. */
  resolveAhead(): Json {
    const prepared = this.prepared;
    this.prepared = undefined;
    const json = prepared && !this.stackOverrides ? this.assemble(prepared) : this.resolveWhole();
    this.resolved = json;
    return json;
  }

  /** Forgets JSON resolved ahead (synthesis stopped before writing this stack). */
  discardResolved(): void {
    this.resolved = undefined;
    this.prepared = undefined;
  }

  override toTerraform(): Json {
    const resolved = this.resolved;
    this.resolved = undefined;
    this.prepared = undefined;
    return resolved ?? this.resolveWhole();
  }

  static isSnapshotStack(x: unknown): x is SnapshotStack {
    return x instanceof SnapshotStack;
  }

  private resolveWhole(): Json {
    return super.toTerraform() as Json;
  }

  /**
   * cdktf 0.21's `TerraformStack.toTerraform()` with prepared fragments. Its last step, resolving the merged whole
   * again, changes nothing once every fragment is resolved, except the metadata block (its unset `cloud`), which
   * is resolved here on its own. Tested against `toTerraform()` for every stack of the default and the examples.
   */
  private assemble(prepared: Map<TerraformElement, unknown>): Json {
    const elements = terraformElements(this);
    const metadata: Json = {
      version: this.node.tryGetContext("cdktfVersion"),
      stackName: this.node.id,
      backend: "local", // overwritten by the backend's metadata
      cloud: undefined,
    };
    for (const e of elements) mergeResolved(metadata, resolveIn(this, e.toMetadata()) as Json);
    const outputs: Json = {};
    for (const e of elements) {
      if (!TerraformOutput.isTerraformOutput(e)) continue;
      const nested = e.node.path
        .split("/")
        .reduceRight<unknown>((inner, part) => ({ [part]: inner }), e.friendlyUniqueId) as Json;
      mergeResolved(outputs, nested);
    }
    const tf: Json = { "//": resolveIn(this, { metadata, outputs }) };
    for (const e of elements) {
      const fragment = prepared.has(e) ? prepared.get(e) : resolveIn(this, e.toTerraform());
      mergeResolved(tf, fragment as Json);
    }
    return tf;
  }
}

/** cdktf's element walk: this stack's elements in construct order, not descending into nested stacks. */
function terraformElements(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (!TerraformStack.isStack(child)) terraformElements(child, into);
  }
  return into;
}

/**
 * cdktf's `deepMerge` for values already resolved (no tokens left): objects merge key by key, an array joins an
 * array already there, `undefined` deletes, anything else replaces.
 */
function mergeResolved(target: Json, source: Json): Json {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      if (typeof target[key] !== "object") target[key] = {};
      mergeResolved(target[key] as Json, value as Json);
    } else if (Array.isArray(value)) {
      const existing = target[key];
      target[key] = Array.isArray(existing) ? [...existing, ...value] : value;
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
  return target;
}
