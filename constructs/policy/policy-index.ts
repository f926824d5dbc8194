import {
  DefaultTokenResolver,
  StringConcat,
  TerraformBackend,
  TerraformDataSource,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from "cdktf";
import type { IConstruct } from "constructs";
import { isObject, type Json } from "./values";

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Tokens → Terraform expressions, as `stack.toTerraform()` does. */
function resolve(stack: TerraformStack, obj: unknown): unknown {
  return Tokenization.resolve(obj, { scope: stack, preparing: false, resolver: RESOLVER });
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

  static build(root: IConstruct): PolicyIndex {
    const index = new PolicyIndex();
    const stacks = root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
    for (const stack of stacks) index.addStack(stack);
    return index;
  }

  private addStack(stack: TerraformStack): void {
    const backend = stack.node.children.find((c): c is TerraformBackend => c instanceof TerraformBackend);
    const backendJson = backend
      ? (resolve(stack, backend.toTerraform()) as { terraform?: { backend?: Json } })
      : undefined;
    this.add({
      construct: stack,
      stack,
      kind: "stack",
      type: "stack",
      address: stack.node.id,
      path: stack.node.path,
      config: { backend: backendJson?.terraform?.backend ?? {} },
    });
    for (const c of stack.node.findAll()) {
      if (c !== stack && TerraformStack.isStack(c)) continue;
      if (TerraformStack.of(c) !== stack) continue;
      if (c instanceof TerraformResource) {
        const json = resolve(stack, c.toTerraform()) as { resource?: Record<string, Record<string, Json>> };
        const attrs = json.resource?.[c.terraformResourceType]?.[c.friendlyUniqueId];
        if (!isObject(attrs)) continue; // moved resources have no block
        this.add({
          construct: c,
          stack,
          kind: "resource",
          type: c.terraformResourceType,
          address: `${c.terraformResourceType}.${c.friendlyUniqueId}`,
          path: c.node.path,
          config: attrs,
        });
      } else if (c instanceof TerraformDataSource) {
        const json = resolve(stack, c.toTerraform()) as { data?: Record<string, Record<string, Json>> };
        const attrs = json.data?.[c.terraformResourceType]?.[c.friendlyUniqueId];
        if (!isObject(attrs)) continue;
        this.add({
          construct: c,
          stack,
          kind: "data",
          type: `data.${c.terraformResourceType}`,
          address: `data.${c.terraformResourceType}.${c.friendlyUniqueId}`,
          path: c.node.path,
          config: attrs,
        });
      }
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
