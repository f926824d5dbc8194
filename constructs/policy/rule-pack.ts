import { Annotations, Aspects, type IAspect, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { PolicyIndex, type ResourceView } from "./policy-index";
import { RULES } from "./rules";
import { codeSuppressions, MIN_REASON_LENGTH, type PolicySuppression, pathCovers } from "./suppressions";
import type { Finding, PolicyRule, PublicIngressAllowance, RuleContext, Severity, Violation } from "./types";

export interface RulePackOptions {
  /** The platform's environment; some rules are stricter in `prod`. */
  readonly environment: string;
  /** The configuration's sandbox opt-out: stateful resources need no `prevent_destroy`. @default false */
  readonly sandbox?: boolean;
  /** Suppressions from the configuration (`policy.suppressions`); code uses `suppress()`. @default [] */
  readonly suppressions?: readonly PolicySuppression[];
  /** Documented public load-balancer listeners (security group path prefix + ports). @default [] */
  readonly publicIngress?: readonly PublicIngressAllowance[];
  /** @default RULES - every rule of the pack */
  readonly rules?: readonly PolicyRule[];
  /** Throw `PolicyViolationError` from synthesis when an unsuppressed error-level finding exists. @default true */
  readonly failOnError?: boolean;
}

/** Findings of the pack itself: a suppression without a valid reason or rule id, or one that matched nothing. */
export const INVALID_SUPPRESSION = "MLOPS-POLICY-001";
export const UNUSED_SUPPRESSION = "MLOPS-POLICY-002";

/** Synthesis stopped on error-level findings; `findings` lists every one (path, rule id, message). */
export class PolicyViolationError extends Error {
  constructor(readonly findings: readonly Finding[]) {
    super(
      [
        `Policy check failed: ${findings.length} error-level finding(s):`,
        ...findings.map(formatFinding),
        "Fix the resource, or suppress the finding with a written reason: suppress(construct, ruleId, reason) in code " +
          "or policy.suppressions [{ rule, path, reason }] in the configuration.",
      ].join("\n"),
    );
    this.name = "PolicyViolationError";
  }
}

export function formatFinding(f: Finding): string {
  return `  - ${f.path}  ${f.ruleId} (${f.severity})  ${f.message}: ${f.detail}`;
}

/** One rule as a cdktf Aspect: visits every construct and checks the resources of its types. */
class RuleAspect implements IAspect {
  constructor(
    readonly rule: PolicyRule,
    private readonly pack: RulePack,
  ) {}

  visit(node: IConstruct): void {
    // In a synthesis the gate, first on every stack, has already run every rule over every view of the index (a
    // construct outside it has no view): checking again here would only record the same findings a second time.
    if (this.pack.hasEvaluated()) return;
    const view = this.pack.index().viewOf(node);
    if (view) this.pack.check(this.rule, view);
  }
}

/**
 * Runs first in each stack's synthesis: evaluates every rule over the whole app once, so synthesis fails
 * before any stack is written and the error lists the findings of all stacks, not just the first.
 */
class PolicyGate implements IAspect {
  constructor(private readonly pack: RulePack) {}
  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    // A synthesis starts with the app's first stack: re-evaluate there, so constructs added after an earlier
    // `findings()` call are seen; later stacks of the same synthesis reuse the result.
    if (node === this.pack.firstStack()) this.pack.evaluate({ synthesizing: true });
    else this.pack.findings();
    try {
      this.pack.assertCompliant();
    } catch (err) {
      this.pack.index().discardResolved(); // nothing is written: no stack may keep JSON resolved for it
      throw err;
    }
  }
}

/**
 * The kit's policy gates on an app: every rule as an Aspect on every stack. `app.synth()` then fails with a
 * `PolicyViolationError` listing every unsuppressed error-level finding (also with the cdktf CLI, which keeps
 * going on error annotations). Call after the stacks are built and before `app.synth()`.
 */
export function applyRulePack(scope: IConstruct, options: RulePackOptions): RulePack {
  return new RulePack(scope.node.root, options);
}

export class RulePack {
  readonly rules: readonly PolicyRule[];
  private readonly recorded = new Map<string, Finding>();
  private readonly annotated = new Set<string>();
  private readonly usedSuppressions = new Set<PolicySuppression>();
  private idx?: PolicyIndex;
  private evaluated = false;
  private suppressionList: PolicySuppression[] = [];

  constructor(
    readonly root: IConstruct,
    private readonly options: RulePackOptions,
  ) {
    this.rules = options.rules ?? RULES;
    const ids = new Set<string>();
    for (const r of this.rules) {
      if (ids.has(r.id)) throw new Error(`policy rule id ${r.id} is used twice`);
      ids.add(r.id);
    }
    const stacks = root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
    if (stacks.length === 0)
      throw new Error("applyRulePack: the app has no stacks yet; call it after building them");
    const aspects = [new PolicyGate(this), ...this.rules.map((r) => new RuleAspect(r, this))];
    for (const stack of stacks) for (const a of aspects) Aspects.of(stack).add(a);
  }

  /**
   * The app's first stack, where each synthesis starts. PolicyGate asks once per stack: a walk of the whole tree
   * each time made synthesis quadratic in the number of stacks (100 team stacks: 0.7 s of walks). Stacks are the
   * app's children, so the first of those is the first in the walk's (pre-)order; the walk stays the fallback.
   */
  firstStack(): TerraformStack | undefined {
    const isStack = (c: IConstruct): c is TerraformStack => TerraformStack.isStack(c);
    return this.root.node.children.find(isStack) ?? this.root.node.findAll().find(isStack);
  }

  /** The resolved resources of the app (built on first use, i.e. at synthesis). */
  index(): PolicyIndex {
    if (!this.idx) this.idx = PolicyIndex.build(this.root);
    return this.idx;
  }

  context(): RuleContext {
    return {
      environment: this.options.environment,
      sandbox: this.options.sandbox ?? false,
      index: this.index(),
      publicIngress: this.options.publicIngress ?? [],
    };
  }

  /** Every finding of the app (evaluating once), including suppressed ones and the pack's own. */
  findings(): Finding[] {
    if (!this.evaluated) this.evaluate();
    return [...this.recorded.values()];
  }

  /** Whether every rule has run over the app (at the latest synthesis' start, or since on request). */
  hasEvaluated(): boolean {
    return this.evaluated;
  }

  /** Runs `rule` on `view` if it applies to its type, recording what it finds. */
  check(rule: PolicyRule, view: ResourceView): void {
    if (rule.appliesTo.includes(view.type)) this.record(rule, view, rule.check(view, this.context()));
  }

  /**
   * Re-runs every rule over the app as it is now. `synthesizing` (the gate, as synthesis starts): a stack whose
   * only aspects are the pack's own is resolved once for both the rules and the JSON synthesis writes.
   */
  evaluate(options: { synthesizing?: boolean } = {}): Finding[] {
    this.evaluated = true;
    const ownAspect = (a: IAspect) => a instanceof PolicyGate || a instanceof RuleAspect;
    this.idx = PolicyIndex.build(this.root, options.synthesizing ? ownAspect : undefined);
    this.recorded.clear();
    this.usedSuppressions.clear();
    this.suppressionList = this.validSuppressions();
    for (const rule of this.rules) for (const view of this.idx.views) this.check(rule, view);
    for (const s of this.suppressionList) {
      if (this.usedSuppressions.has(s)) continue;
      this.add({
        ruleId: UNUSED_SUPPRESSION,
        severity: "warning",
        path: s.path,
        message: "Suppression matches no finding",
        detail: `${s.rule} is suppressed at ${s.path} but nothing there violates it; remove the suppression`,
      });
    }
    return [...this.recorded.values()];
  }

  /** Unsuppressed findings at `severity`. */
  unsuppressed(severity: Severity): Finding[] {
    return this.findings().filter((f) => f.severity === severity && !f.suppressed);
  }

  /** Throws `PolicyViolationError` when an unsuppressed error-level finding exists (unless failOnError is off). */
  assertCompliant(): void {
    if (this.options.failOnError === false) return;
    const errors = this.unsuppressed("error");
    if (errors.length > 0) throw new PolicyViolationError(errors);
  }

  /** Lines for the synth summary: counts, every suppression with its reason, and every warning. */
  summaryLines(): string[] {
    const all = this.findings();
    const count = (s: Severity) => all.filter((f) => f.severity === s && !f.suppressed).length;
    const suppressed = all.filter((f) => f.suppressed);
    const lines = [
      `Policy: ${this.rules.length} rules (${this.options.environment}${this.options.sandbox ? ", sandbox" : ""}): ` +
        `${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} info, ${suppressed.length} suppressed`,
    ];
    for (const f of suppressed) {
      const s = f.suppressed as NonNullable<Finding["suppressed"]>;
      lines.push(`  suppressed ${f.ruleId} at ${f.path} (${s.source} suppression at ${s.path}): ${s.reason}`);
    }
    for (const f of all.filter((x) => x.severity === "warning" && !x.suppressed)) {
      lines.push(`  warning ${f.ruleId} at ${f.path}: ${f.message}: ${f.detail}`);
    }
    return lines;
  }

  /** Called by the rule aspects: turns violations into findings (suppressed or not) and annotations. */
  record(rule: PolicyRule, view: ResourceView, violations: readonly Violation[]): void {
    for (const v of violations) {
      const node = v.node ?? view.construct;
      const path = node.node.path;
      const suppression = this.suppressionList.find((s) => s.rule === rule.id && pathCovers(s.path, path));
      if (suppression) this.usedSuppressions.add(suppression);
      this.add(
        {
          ruleId: rule.id,
          severity: v.severity ?? rule.severity,
          path,
          message: rule.message,
          detail: v.detail,
          suppressed: suppression
            ? { reason: suppression.reason, source: sourceOf(suppression), path: suppression.path }
            : undefined,
        },
        node,
      );
    }
  }

  private add(f: Finding, node?: IConstruct): void {
    const key = `${f.ruleId}|${f.path}|${f.detail}`;
    if (this.recorded.has(key)) return;
    this.recorded.set(key, f);
    const target = node ?? this.findConstruct(f.path);
    const annotationKey = `${key}|${target.node.path}`;
    if (this.annotated.has(annotationKey)) return;
    this.annotated.add(annotationKey);
    const text = `[${f.ruleId}] ${f.message}: ${f.detail}`;
    const a = Annotations.of(target);
    if (f.suppressed) a.addInfo(`${text} (suppressed: ${f.suppressed.reason})`);
    else if (f.severity === "error") a.addError(text);
    else if (f.severity === "warning") a.addWarning(text);
    else a.addInfo(text);
  }

  /** The construct at `path`, or its nearest existing ancestor, or the first stack. */
  private findConstruct(path: string): IConstruct {
    let best: IConstruct | undefined;
    for (const c of this.root.node.findAll()) {
      if (!TerraformStack.isStack(c) && !best) continue;
      if (pathCovers(c.node.path, path) && (!best || c.node.path.length > best.node.path.length)) best = c;
    }
    return best ?? (this.root.node.findAll().find((c) => TerraformStack.isStack(c)) as IConstruct);
  }

  private validSuppressions(): PolicySuppression[] {
    const known = new Set(this.rules.map((r) => r.id));
    const fromCode = codeSuppressions(this.root).map((s) => Object.assign(s, { [SOURCE]: "code" as const }));
    const fromConfig = (this.options.suppressions ?? []).map((s) => ({ ...s, [SOURCE]: "config" as const }));
    const valid: PolicySuppression[] = [];
    for (const s of [...fromCode, ...fromConfig]) {
      const problems: string[] = [];
      if (typeof s.reason !== "string" || s.reason.trim().length < MIN_REASON_LENGTH)
        problems.push(
          `reason ${JSON.stringify(s.reason)} is missing or shorter than ${MIN_REASON_LENGTH} characters`,
        );
      if (!known.has(s.rule)) problems.push(`rule ${JSON.stringify(s.rule)} is not a rule of this pack`);
      if (!s.path) problems.push("path is empty");
      if (problems.length === 0) {
        valid.push(s);
        continue;
      }
      this.add({
        ruleId: INVALID_SUPPRESSION,
        severity: "error",
        path: s.path || this.root.node.path,
        message: "Suppression is not valid",
        detail: `${s[SOURCE]} suppression of ${s.rule} at ${JSON.stringify(s.path)}: ${problems.join("; ")}`,
      });
    }
    return valid;
  }
}

const SOURCE = Symbol("source");

function sourceOf(s: PolicySuppression): "code" | "config" {
  return (s as { [SOURCE]?: "code" | "config" })[SOURCE] ?? "config";
}

/** The parts of the platform configuration the pack reads (structural, so the pack does not import the schema). */
export interface PolicyPlatformConfig {
  readonly environment: string;
  readonly sandbox: boolean;
  readonly policy?: { readonly suppressions?: readonly PolicySuppression[] };
}

/**
 * The platform's rule pack: environment, sandbox and `policy.suppressions` from the configuration. Call after
 * `buildPlatform` and before `app.synth()`; add `pack.summaryLines()` to the synth summary.
 */
export function applyPlatformRulePack(
  scope: IConstruct,
  config: PolicyPlatformConfig,
  options: Partial<RulePackOptions> = {},
): RulePack {
  return applyRulePack(scope, {
    environment: config.environment,
    sandbox: config.sandbox,
    suppressions: config.policy?.suppressions ?? [],
    ...options,
  });
}
