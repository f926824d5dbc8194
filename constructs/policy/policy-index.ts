import {
  Aspects,
  DefaultTokenResolver,
  type IAspect,
  StringConcat,
  TerraformBackend,
  TerraformDataSource,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from "cdktf";
import type { IConstruct } from "constructs";
import { SnapshotStack } from "../core/snapshot-stack";
import { isObject, type Json } from "./values";

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Tokens → Terraform expressions, as `stack.toTerraform()` does. */
function resolve(stack: TerraformStack, obj: unknown): unknown {
  return Tokenization.resolve(obj, { scope: stack, preparing: false, resolver: RESOLVER });
}

/** Resolved blocks of one kind: type → name → attributes. */
type Blocks = Record<string, Record<string, Json>>;

/** Whether every aspect on the stack, its ancestors and its constructs satisfies `ok`. */
function onlyAspects(stack: TerraformStack, ok: (aspect: IAspect) => boolean): boolean {
  const scopes = [...stack.node.scopes, ...stack.node.findAll()];
  return scopes.every((c) => Aspects.of(c).all.every(ok));
}

/** A resource, data source or stack as rules see it: its resolved Terraform JSON and where it is. */
export interface ResourceView {
  readonly construct: IConstruct;
  readonly stack: TerraformStack;
  readonly kind: "resource" | "data" | "stack";
  /** `aws_s3_bucket`, `data.aws_iam_policy_document` or `stack`. */
  readonly type: string;
  /** Terraform address within its stack: `aws_s3_bucket.X`, `data.aws_iam_policy_document.Y`, the stack name. */
  readonly address: string;
  readonly path: string;
  /**
   * Attributes (snake_case) with tokens resolved to Terraform expressions (`${aws_kms_key.K.arn}`); for a stack,
   * `{ backend: { <type>: {...} } }`.
   */
  readonly config: Json;
}

/**
 * Every resource, data source and stack of an app, resolved once. Rules use it to correlate resources that
 * refer to each other by Terraform expressions, e.g. `aws_s3_bucket_versioning.bucket = ${aws_s3_bucket.X.id}`.
 */
export class PolicyIndex {
  readonly views: ResourceView[] = [];
  private readonly byStackAddress = new Map<TerraformStack, Map<string, ResourceView>>();
  private readonly byConstruct = new Map<IConstruct, ResourceView>();

  /**
   * `readOnlyAspect` (given at synthesis): a stack on which every aspect is one of those is resolved whole, once,
   * and synthesis writes that same JSON (`SnapshotStack`) instead of resolving every token again. A stack with any
   * other aspect (one that runs later, when its own stack is synthesized, and may change it) is resolved per
   * resource, as before, and left to be resolved again when written.
   */
  static build(root: IConstruct, readOnlyAspect?: (aspect: IAspect) => boolean): PolicyIndex {
    const index = new PolicyIndex();
    const stacks = root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
    for (const stack of stacks) {
      if (readOnlyAspect && SnapshotStack.isSnapshotStack(stack) && onlyAspects(stack, readOnlyAspect)) {
        index.addResolvedStack(stack, stack.resolveAhead());
      } else index.addStack(stack);
    }
    return index;
  }

  /** Forgets JSON resolved ahead for synthesis (it stopped: nothing is written). */
  discardResolved(): void {
    for (const v of this.views)
      if (v.kind === "stack" && SnapshotStack.isSnapshotStack(v.stack)) v.stack.discardResolved();
  }

  /** A stack from its whole resolved JSON (`stack.toTerraform()`): the same blocks `addStack` resolves one by one. */
  private addResolvedStack(stack: TerraformStack, json: { [key: string]: unknown }): void {
    const blocks = json as { terraform?: { backend?: Json } } & Record<
      "resource" | "data",
      Blocks | undefined
    >;
    this.addViews(
      stack,
      blocks.terraform?.backend,
      (kind, c) => blocks[kind]?.[c.terraformResourceType]?.[c.friendlyUniqueId],
    );
  }

  /** A stack resolved block by block. */
  private addStack(stack: TerraformStack): void {
    const backend = stack.node.children.find((c): c is TerraformBackend => c instanceof TerraformBackend);
    const backendJson = backend
      ? (resolve(stack, backend.toTerraform()) as { terraform?: { backend?: Json } })
      : undefined;
    this.addViews(stack, backendJson?.terraform?.backend, (kind, c) => {
      const json = resolve(stack, c.toTerraform()) as Partial<Record<typeof kind, Blocks>>;
      return json[kind]?.[c.terraformResourceType]?.[c.friendlyUniqueId];
    });
  }

  /** The stack's view and one per resource and data source of it that has a block (moved resources have none). */
  private addViews(
    stack: TerraformStack,
    backend: Json | undefined,
    block: (kind: "resource" | "data", c: TerraformResource | TerraformDataSource) => unknown,
  ): void {
    this.add({
      construct: stack,
      stack,
      kind: "stack",
      type: "stack",
      address: stack.node.id,
      path: stack.node.path,
      config: { backend: backend ?? {} },
    });
    for (const c of stack.node.findAll()) {
      if (c !== stack && TerraformStack.isStack(c)) continue;
      if (TerraformStack.of(c) !== stack) continue;
      const kind =
        c instanceof TerraformResource ? "resource" : c instanceof TerraformDataSource ? "data" : undefined;
      if (!kind) continue;
      const element = c as TerraformResource | TerraformDataSource;
      const attrs = block(kind, element);
      if (!isObject(attrs)) continue;
      const type = kind === "data" ? `data.${element.terraformResourceType}` : element.terraformResourceType;
      this.add({
        construct: c,
        stack,
        kind,
        type,
        address: `${type}.${element.friendlyUniqueId}`,
        path: c.node.path,
        config: attrs,
      });
    }
  }

  private add(view: ResourceView): void {
    this.views.push(view);
    this.byConstruct.set(view.construct, view);
    let m = this.byStackAddress.get(view.stack);
    if (!m) {
      m = new Map();
      this.byStackAddress.set(view.stack, m);
    }
    m.set(view.address, view);
  }

  ofType(type: string): ResourceView[] {
    return this.views.filter((v) => v.type === type);
  }

  viewOf(construct: IConstruct): ResourceView | undefined {
    return this.byConstruct.get(construct);
  }

  /** The resource an expression like `${aws_s3_bucket.X.id}` points at (only a whole-value reference). */
  target(from: ResourceView, expression: unknown): ResourceView | undefined {
    if (typeof expression !== "string") return undefined;
    const m = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\.[^}]*)?\}$/.exec(expression);
    return m ? this.byStackAddress.get(from.stack)?.get(m[1]) : undefined;
  }

  /**
   * Resources of `type` in the same stack whose `attribute` refers to `to`: by an expression on its address, or,
   * for literal names, by equal value of `to.config[literalKey]` (e.g. a bucket's literal name).
   */
  referencing(to: ResourceView, type: string, attribute: string, literalKey?: string): ResourceView[] {
    const literal = literalKey ? to.config[literalKey] : undefined;
    return this.ofType(type).filter((v) => {
      if (v.stack !== to.stack) return false;
      const value = v.config[attribute];
      if (typeof value !== "string") return false;
      if (value.includes(`\${${to.address}.`)) return true;
      return typeof literal === "string" && !literal.includes("${") && value === literal;
    });
  }
}
