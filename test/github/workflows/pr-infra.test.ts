/**
 * The infrastructure workflows users run (.github/workflows/pr-infra.yml on pull requests, deploy.yml on main),
 * read as GitHub reads them: triggers, token permissions, credentials, the gate on risky changes, the sticky
 * comment, artifacts, the deploy environment. The scripts of the steps that decide something (the diff's
 * arguments, the risk gate, the plan list) are run with bash against a stand-in `npm` that records its arguments.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DIFF_USAGE, OFFLINE_FLAGS } from "../../../scripts/diff/cli";
import { gh } from "../../support/actionlint";
import {
  runCiScript,
  stubNpm,
  usesAction,
  type WorkflowJob,
  type WorkflowStep,
} from "../../support/workflows";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const RISK_LABEL = "infra-risk-approved";

interface Workflow {
  on: Record<string, { types?: string[]; branches?: string[] } | null>;
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  jobs: Record<string, WorkflowJob>;
}
const text = (file: string) => readFileSync(join(WORKFLOWS, file), "utf8");
const PR_TEXT = text("pr-infra.yml");
const DEPLOY_TEXT = text("deploy.yml");
const pr = parse(PR_TEXT) as Workflow;
const deploy = parse(DEPLOY_TEXT) as Workflow;

const uses = usesAction;
const step = (job: WorkflowJob, name: string): WorkflowStep => {
  const s = job.steps.find((x) => x.name === name || x.id === name);
  if (!s) throw new Error(`no step ${name} in ${job.name}`);
  return s;
};

describe("pull-request workflow (pr-infra.yml)", () => {
  const { policy, diff, plan, comment } = pr.jobs;

  it("runs on pull_request only (never pull_request_target), and again when a label is added or removed", () => {
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(PR_TEXT).not.toContain("pull_request_target");
    expect(pr.on.pull_request?.types).toEqual(
      expect.arrayContaining(["opened", "synchronize", "reopened", "labeled", "unlabeled"]),
    );
  });

  it("reads the repository only; the plan job alone gets an OIDC token, the comment job alone writes", () => {
    expect(pr.permissions).toEqual({ contents: "read" });
    expect(policy.permissions).toEqual({ contents: "read" });
    expect(diff.permissions).toEqual({ contents: "read" });
    expect(plan.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(comment.permissions).toEqual({ "pull-requests": "write" });
    const writers = Object.entries(pr.jobs).filter(([, j]) =>
      Object.values(j.permissions ?? {}).includes("write"),
    );
    expect(writers.map(([n]) => n).sort()).toEqual(["comment", "plan"]);
    // No stored secret anywhere: forks' runs must not depend on one, and the cloud access is OIDC.
    expect(PR_TEXT).not.toMatch(/secrets\./);
  });

  it("keeps one run per pull request, cancelling the superseded one", () => {
    expect(pr.concurrency.group).toContain(gh("github.event.pull_request.number"));
    expect(pr.concurrency["cancel-in-progress"]).toBe(true);
  });

  it("checks out without persisting the token, with full history where the base is synthesized", () => {
    for (const [name, job] of Object.entries(pr.jobs)) {
      for (const c of uses(job, "actions/checkout"))
        expect(c.with?.["persist-credentials"], name).toBe(false);
    }
    expect(uses(diff, "actions/checkout")[0].with?.["fetch-depth"]).toBe(0);
    expect(uses(plan, "actions/checkout")[0].with?.["fetch-depth"]).toBe(0);
  });

  it("installs Node from .nvmrc (within package.json's engines) with the npm cache, then npm ci", () => {
    const nvmrc = readFileSync(join(ROOT, ".nvmrc"), "utf8").trim();
    const engines = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    const [, minMajor, minMinor] = /^>=(\d+)\.(\d+)/.exec(engines) ?? [];
    // A bare major resolves to its latest release, which is past the engines' minimum of that major.
    expect(nvmrc).toMatch(/^\d+$/);
    expect(Number(nvmrc)).toBeGreaterThanOrEqual(Number(minMajor));
    expect(Number(minMinor)).toBeGreaterThanOrEqual(0);
    for (const job of [policy, diff, plan]) {
      expect(uses(job, "actions/setup-node")[0].with).toEqual({
        "node-version-file": ".nvmrc",
        cache: "npm",
      });
      expect(job.steps.some((s) => s.run === "npm ci --no-audit --no-fund")).toBe(true);
    }
    // npm ci skips onnxruntime-node's CUDA download through the project's .npmrc, as .ci/run does.
    expect(readFileSync(join(ROOT, ".npmrc"), "utf8")).toMatch(/^onnxruntime-node-install=skip$/m);
  });

  it("synthesizes (the rule pack's gate), checks CODEOWNERS, runs checkov and the credentials scan", () => {
    const runs = policy.steps.map((s) => s.run ?? "");
    expect(runs).toContain("npm run codeowners -- --check");
    expect(runs).toContain("npx cdktf synth");
    expect(runs).toContain("bash .ci/steps/checkov.sh");
    expect(runs).toContain("node .ci/checkov/scan.mjs configuration=cdktf.out");
    expect(runs.some((r) => r.startsWith("node .ci/checkov/credentials.mjs configuration=cdktf.out"))).toBe(
      true,
    );
    // The synthesized stacks are an artifact, unless the credentials scan found something in them.
    const [upload] = uses(policy, "actions/upload-artifact");
    expect(upload.with?.name).toBe("synthesized-stacks");
    expect(upload.with?.path).toContain("cdktf.out/stacks/*/cdk.tf.json");
    expect(upload.if).toContain("steps.credentials.outcome == 'success'");
  });

  it("uploads the diff (Markdown and JSON) and never the plan JSON, which holds sensitive values", () => {
    expect(uses(diff, "actions/upload-artifact")[0].with).toMatchObject({
      name: "infra-diff",
      path: "mlops-diff/",
    });
    expect(uses(plan, "actions/upload-artifact")[0].with).toMatchObject({
      name: "infra-diff-plan",
      path: "mlops-diff/",
    });
    expect(PR_TEXT).not.toMatch(/path:.*mlops-plan/);
  });

  it("plans only when the plan role variable is set, never for forks, with the role of that variable", () => {
    expect(plan.if).toContain("vars.MLOPS_PLAN_ROLE_ARN != ''");
    expect(plan.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    const [creds] = uses(plan, "aws-actions/configure-aws-credentials");
    expect(creds.with?.["role-to-assume"]).toBe(gh("vars.MLOPS_PLAN_ROLE_ARN"));
    expect(Object.keys(creds.with ?? {}).filter((k) => /access-key|secret|session-token/.test(k))).toEqual(
      [],
    );
    // show -json writes to stdout: setup-terraform's wrapper must be off.
    expect(uses(plan, "hashicorp/setup-terraform")[0].with?.terraform_wrapper).toBe(false);
    const order = plan.steps.map((s) => s.uses?.split("@")[0] ?? s.name);
    expect(order.indexOf("aws-actions/configure-aws-credentials")).toBeLessThan(
      order.indexOf("Plan each stack in deploy order"),
    );
    expect(step(plan, "plan").run).toContain("npm run plan -- --out mlops-plan");
  });

  it("posts one sticky comment after the diff, found by its marker, with actions/github-script", () => {
    expect(comment.needs).toEqual(["policy", "diff", "plan"]);
    expect(comment.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(comment.if).toContain("!cancelled()");
    const [script] = uses(comment, "actions/github-script");
    expect(script.with?.script).toContain('require("./.github/scripts/sticky-comment.cjs")');
    expect(readFileSync(join(ROOT, ".github", "scripts", "sticky-comment.cjs"), "utf8")).toContain(
      'const MARKER = "<!-- mlops-kit:infra-diff -->";',
    );
    // The plan job's report when it ran, else the offline diff's.
    expect(script.with?.script).toContain(
      'PLAN_RESULT === "success" ? "planned/diff.md" : "offline/diff.md"',
    );
    expect(uses(comment, "actions/checkout")[0].with?.["sparse-checkout"]).toBe(".github/scripts");
  });

  it("passes the diff only flags of its offline mode (what makes npm run diff the offline diff)", () => {
    const scripts = [step(diff, "diff").run, step(plan, "Diff with the plans").run].join("\n");
    const flags = [...scripts.matchAll(/args\+?=\(([^)]*)\)/g)].flatMap(
      (m) => m[1].match(/--[a-z-]+/g) ?? [],
    );
    expect(new Set(flags)).toEqual(new Set(["--base", "--out", "--allow-risk", "--plan-json"]));
    for (const f of flags) {
      expect(OFFLINE_FLAGS).toContain(f);
      expect(DIFF_USAGE).toContain(f);
    }
  });

  it("names only npm scripts the project has", () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
        .scripts,
    );
    for (const t of [PR_TEXT, DEPLOY_TEXT]) {
      for (const m of t.matchAll(/npm run ([\w:-]+)/g)) expect(scripts, m[1]).toContain(m[1]);
    }
  });
});

describe("README: the workflows part of Pull requests", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("### Workflows on pull requests and on main"),
    readme.indexOf("### Routing per team"),
  );

  it("names the label, the marker, the variables and the environment the workflows use", () => {
    expect(section).toContain(`\`${RISK_LABEL}\``);
    expect(section).toContain("`<!-- mlops-kit:infra-diff -->`");
    for (const v of ["MLOPS_PLAN_ROLE_ARN", "MLOPS_DEPLOY_ROLE_ARN", "MLOPS_CONFIG", "AWS_REGION"]) {
      expect(section, v).toContain(`\`${v}\``);
      expect(PR_TEXT + DEPLOY_TEXT, v).toContain(`vars.${v}`);
    }
    expect(section).toContain("GitHub environment `production`");
  });

  it("lists each job with the permissions it has", () => {
    for (const [name, job] of Object.entries(pr.jobs)) {
      const perms = Object.entries(job.permissions ?? {})
        .map(([k, v]) => `\`${k}: ${v}\``)
        .join(", ");
      expect(section, name).toContain(`| \`${name}\` | ${perms} |`);
    }
  });

  it("lists every pinned action at the release the workflows pin", () => {
    const pins = new Set(
      [...(PR_TEXT + DEPLOY_TEXT).matchAll(/uses: ([\w-]+\/[\w-]+)@[0-9a-f]{40} # (v[\d.]+)/g)].map(
        (m) => `\`${m[1]}\` ${m[2]}`,
      ),
    );
    expect(pins.size).toBe(7);
    for (const p of pins) expect(section.replace(/\s+/g, " "), p).toContain(p);
  });
});

describe("pull-request workflow scripts, run", () => {
  let work = "";
  let repo = "";
  let base = "";
  let bin = "";
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "pr-infra-"));
    // A clone as actions/checkout leaves it: the base branch as origin/main, HEAD one commit further.
    repo = join(work, "repo");
    mkdirSync(repo);
    const git = (...args: string[]) => {
      const r = spawnSync("git", args, {
        cwd: repo,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@x",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@x",
        },
      });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    git("init", "-q", "-b", "main");
    git("commit", "-q", "--allow-empty", "-m", "base");
    base = git("rev-parse", "HEAD");
    git("update-ref", "refs/remotes/origin/main", base);
    git("commit", "-q", "--allow-empty", "-m", "change");
    bin = stubNpm(work);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let runs = 0;
  /** A step's script as GitHub runs it, in the clone, with the files GitHub gives it. */
  function runStep(script: string | undefined, env: Record<string, string>) {
    const dir = join(work, `run-${++runs}`);
    mkdirSync(dir);
    for (const f of ["output", "summary"]) writeFileSync(join(dir, f), "");
    rmSync(join(repo, "mlops-diff"), { recursive: true, force: true });
    const r = runCiScript(script, {
      cwd: repo,
      bin,
      scratch: dir,
      env: {
        GITHUB_OUTPUT: join(dir, "output"),
        GITHUB_STEP_SUMMARY: join(dir, "summary"),
        BASE_REF: "main",
        RUN_URL: "https://github.com/acme/platform/actions/runs/7",
        ...env,
      },
    });
    const read = (f: string) => readFileSync(join(dir, f), "utf8");
    return { ...r, output: read("output"), summary: read("summary") };
  }

  const diffStep = () => step(pr.jobs.diff, "diff");
  const gate = () => step(pr.jobs.diff, "Risk gate");

  it("diffs against the merge base with origin/<base branch>, --allow-risk only with the label", () => {
    expect(diffStep().env?.ALLOW_RISK).toBe(
      gh(`contains(github.event.pull_request.labels.*.name, '${RISK_LABEL}')`),
    );
    expect(diffStep().env?.BASE_REF).toBe(gh("github.base_ref"));
    const without = runStep(diffStep().run, { ALLOW_RISK: "false" });
    expect(without.status).toBe(0);
    expect(without.npm.trim()).toBe(`run diff -- --base ${base} --out mlops-diff`);
    expect(without.output).toBe("status=0\n");
    expect(without.summary).toBe("### diff\n");
    const labelled = runStep(diffStep().run, { ALLOW_RISK: "true" });
    expect(labelled.npm.trim()).toBe(`run diff -- --base ${base} --out mlops-diff --allow-risk`);
  });

  it("records a risky diff's exit 1 without failing the step, so the report is still uploaded", () => {
    const r = runStep(diffStep().run, { ALLOW_RISK: "false", NPM_STATUS: "1" });
    expect(r.status).toBe(0);
    expect(r.output).toBe("status=1\n");
  });

  it("writes a report naming the exit status and the run when the diff failed before writing one", () => {
    const r = runStep(diffStep().run, { ALLOW_RISK: "false", NPM_STATUS: "2", NPM_NO_REPORT: "1" });
    expect(r.status).toBe(0);
    expect(r.output).toBe("status=2\n");
    expect(r.summary).toContain("The diff failed (exit 2) before writing its report");
    expect(r.summary).toContain("https://github.com/acme/platform/actions/runs/7");
  });

  it("fails the job on a risky change, naming the label that accepts it, and on a diff that could not be made", () => {
    expect(gate().env?.STATUS).toBe(gh("steps.diff.outputs.status"));
    expect(runStep(gate().run, { STATUS: "0" }).status).toBe(0);
    const risky = runStep(gate().run, { STATUS: "1" });
    expect(risky.status).toBe(1);
    expect(risky.stdout).toContain(`add the label ${RISK_LABEL}`);
    expect(runStep(gate().run, { STATUS: "2" }).status).toBe(2);
  });

  it("passes the plans to the diff in deploy order, as npm run plan listed them", () => {
    const withPlans = step(pr.jobs.plan, "Diff with the plans");
    mkdirSync(join(repo, "mlops-plan"), { recursive: true });
    writeFileSync(
      join(repo, "mlops-plan", "plans.txt"),
      "acme-prod-foundation=mlops-plan/acme-prod-foundation.json\nacme-prod-platform=mlops-plan/acme-prod-platform.json\n",
    );
    const r = runStep(withPlans.run, { ALLOW_RISK: "false", PLAN_STATUS: "0", NPM_STATUS: "1" });
    // A risky change does not fail this job: the diff job is the gate.
    expect(r.status).toBe(0);
    expect(r.npm.trim()).toBe(
      `run diff -- --base ${base} --out mlops-diff --plan-json acme-prod-foundation=mlops-plan/acme-prod-foundation.json --plan-json acme-prod-platform=mlops-plan/acme-prod-platform.json`,
    );
    const stopped = runStep(withPlans.run, { ALLOW_RISK: "false", PLAN_STATUS: "3" });
    expect(stopped.summary).toMatch(/^> \*\*Plan incomplete:\*\*.*\n\n### diff\n$/);
    expect(runStep(withPlans.run, { ALLOW_RISK: "false", PLAN_STATUS: "0", NPM_STATUS: "2" }).status).toBe(2);
  });
});

describe("deploy workflow (deploy.yml)", () => {
  const job = deploy.jobs.deploy;

  it("runs on pushes to main (and by hand), in the approval environment production", () => {
    expect(deploy.on.push?.branches).toEqual(["main"]);
    expect(deploy.on).toHaveProperty("workflow_dispatch");
    expect(Object.keys(deploy.on)).not.toContain("pull_request");
    expect(job.environment).toBe("production");
  });

  it("queues deploys one after another, never cancelling one half-way", () => {
    expect(deploy.concurrency["cancel-in-progress"]).toBe(false);
    expect(deploy.concurrency.group).not.toContain("github.ref");
  });

  it("assumes the deploy role of a variable through OIDC, with no stored keys", () => {
    expect(deploy.permissions).toEqual({ contents: "read" });
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    const [creds] = uses(job, "aws-actions/configure-aws-credentials");
    expect(creds.with?.["role-to-assume"]).toBe(gh("vars.MLOPS_DEPLOY_ROLE_ARN"));
    expect(DEPLOY_TEXT).not.toMatch(/secrets\./);
  });

  it("deploys every stack in deploy order with the project's command, after the credentials", () => {
    const runs = job.steps.map((s) => s.run ?? s.uses?.split("@")[0]);
    expect(runs).toContain("npm run deploy -- --auto-approve");
    expect(runs.indexOf("aws-actions/configure-aws-credentials")).toBeLessThan(
      runs.indexOf("npm run deploy -- --auto-approve"),
    );
    // `npm run deploy` is scripts/stacks/main.ts, which deploys in dependency order (test/scripts/stacks).
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.deploy).toBe("tsx scripts/stacks/main.ts deploy");
    expect(deploy.env?.MLOPS_CONFIG).toBe(gh("vars.MLOPS_CONFIG"));
    expect(pr.env?.MLOPS_CONFIG).toBe(gh("vars.MLOPS_CONFIG"));
  });

  it("fails early, naming the variables, when the role or region is not set", () => {
    const check = step(job, "Check the variables");
    const dir = mkdtempSync(join(tmpdir(), "deploy-"));
    try {
      writeFileSync(join(dir, "s.sh"), check.run ?? "");
      const r = spawnSync("bash", ["-e", join(dir, "s.sh")], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, MLOPS_DEPLOY_ROLE_ARN: "", AWS_REGION: "eu-west-1" },
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(
        "::error::set the variables MLOPS_DEPLOY_ROLE_ARN of the environment production",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
