import { TerraformStack } from "cdktf";

/**
 * A stack whose Terraform JSON can be resolved once, ahead of synthesis, and then written as it was resolved.
 *
 * The policy rule pack reads every resource's resolved JSON before any stack is written (so a violation stops
 * synthesis with nothing on disk); resolving tokens again when the stack is written doubled the work that grows
 * with every resource: with 100 team stacks, a fifth of the synth. `resolveAhead()` is called only when nothing
 * can change the stack in between (the rule pack checks that no other aspect is on it); the JSON is used once,
 * by the next `toTerraform()`, so a later change to the stack is never hidden behind it.
 */
export class SnapshotStack extends TerraformStack {
  private resolved?: { [key: string]: unknown };

  /** The stack's Terraform JSON, resolved now; the next `toTerraform()` (the synthesizer's) returns this object. */
  resolveAhead(): { [key: string]: unknown } {
    const json: { [key: string]: unknown } = super.toTerraform();
    this.resolved = json;
    return json;
  }

  /** Forgets JSON resolved ahead (synthesis stopped before writing this stack). */
  discardResolved(): void {
    this.resolved = undefined;
  }

  override toTerraform(): { [key: string]: unknown } {
    const resolved = this.resolved;
    this.resolved = undefined;
    return resolved ?? super.toTerraform();
  }

  static isSnapshotStack(x: unknown): x is SnapshotStack {
    return x instanceof SnapshotStack;
  }
}
