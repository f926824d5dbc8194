/**
 * The GitLab CI equivalent of the GitHub workflows (examples/ci/gitlab/gitlab-ci.yml): valid YAML in GitLab's
 * structure, the same commands as .github/workflows/pr-infra.yml and deploy.yml, the risk gate and plan list
 * run with bash against a stand-in `npm`, and the sticky note script against a loopback stand-in for GitLab's
 * merge-request notes API (real HTTP, pagination by x-next-page, PRIVATE-TOKEN).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SHELLCHECK } from "../../../support/actionlint";
import { failWhenMissingInCi } from "../../../support/ci";
import { runCiScript, stubNpm } from "../../../support/workflows";

const ROOT = join(import.meta.dirname, "..", "..", "..", "..");
const DIR = join(ROOT, "examples", "ci", "gitlab");
const TEXT = readFileSync(join(DIR, "gitlab-ci.yml"), "utf8");

interface GitLabJob {
  stage?: string;
  extends?: string;
  needs?: unknown[];
  rules?: { if?: string; when?: string }[];
  script?: string[];
  before_script?: string[];
  variables?: Record<string, string>;
  environment?: { name: string };
  resource_group?: string;
  id_tokens?: Record<string, { aud: string }>;
  artifacts?: { paths: string[]; when?: string };
}
const ci = parse(TEXT) as Record<string, unknown> & { stages: string[]; variables: Record<string, string> };
const KEYWORDS = new Set(["workflow", "stages", "variables", "default", "include"]);
const jobs = Object.fromEntries(
  Object.entries(ci).filter(([k]) => !KEYWORDS.has(k) && !k.startsWith(".")),
) as Record<string, GitLabJob>;
const script = (name: string) => (jobs[name].script ?? []).join("\n");

/** Every `run:` of the GitHub workflows that calls a project command. */
function githubCommands(): string[] {
  const runs: string[] = [];
  for (const f of ["pr-infra.yml", "deploy.yml"]) {
    const wf = parse(readFileSync(join(ROOT, ".github", "workflows", f), "utf8")) as {
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    for (const job of Object.values(wf.jobs))
      for (const s of job.steps) if (s.run) runs.push(...s.run.split("\n"));
  }
  return [
    ...new Set(
      runs
        .map((l) => l.trim().replace(/ \|\| status=\$\?$/, ""))
        .filter((l) => /^(npm run|npx|node \.ci|bash \.ci)/.test(l))
        // GitHub only: the review requests per team (GitLab's approval rules come from CODEOWNERS).
        .filter((l) => !l.includes("codeowners -- --routing")),
    ),
  ];
}

describe("GitLab CI example", () => {
  it("is GitLab's structure: every job in a declared stage, merge-request and default-branch pipelines only", () => {
    expect(ci.stages).toEqual(["check", "plan", "comment", "deploy"]);
    for (const [name, job] of Object.entries(jobs)) {
      expect(ci.stages, name).toContain(job.stage);
      expect(job.rules?.length, name).toBeGreaterThan(0);
      if (job.extends) expect(ci, name).toHaveProperty(job.extends);
    }
    expect((ci.workflow as { rules: { if: string }[] }).rules.map((r) => r.if)).toEqual([
      '$CI_PIPELINE_SOURCE == "merge_request_event"',
      "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH",
    ]);
  });

  it("runs the same project commands as the GitHub workflows", () => {
    const commands = githubCommands();
    expect(commands).toEqual(
      expect.arrayContaining([
        "npm run codeowners -- --check",
        "npx cdktf synth",
        "node .ci/checkov/scan.mjs configuration=cdktf.out",
        `npm run diff -- "\${args[@]}"`,
        "npm run plan -- --out mlops-plan",
        "npm run deploy -- --auto-approve",
      ]),
    );
    for (const c of commands) expect(TEXT, c).toContain(c);
  });

  it("deploys from the default branch only, started by hand in the environment production, one at a time", () => {
    const d = jobs["infra-deploy"];
    expect(d.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual" }]);
    expect(d.environment?.name).toBe("production");
    expect(d.resource_group).toBe("infra-production");
    expect(d.variables?.ROLE_ARN).toBe("$MLOPS_DEPLOY_ROLE_ARN");
    const aws = ci[".aws-terraform"] as GitLabJob;
    expect(aws.id_tokens?.AWS_ID_TOKEN.aud).toBe("sts.amazonaws.com");
    expect((aws.before_script ?? []).join("\n")).toContain('AWS_ROLE_ARN="$ROLE_ARN"');
    expect(TEXT).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    // Merge-request jobs never deploy.
    for (const name of Object.keys(jobs))
      if (name !== "infra-deploy") expect(script(name), name).not.toContain("npm run deploy");
  });

  it("plans only with the plan role set and never keeps the plan JSON as an artifact", () => {
    expect(jobs["infra-plan"].rules?.[0].if).toContain("$MLOPS_PLAN_ROLE_ARN");
    expect(jobs["infra-plan"].variables?.ROLE_ARN).toBe("$MLOPS_PLAN_ROLE_ARN");
    expect(jobs["infra-plan"].artifacts?.paths).toEqual(["mlops-diff-plan/"]);
    expect(jobs["infra-diff"].artifacts).toMatchObject({ paths: ["mlops-diff/"], when: "always" });
  });

  it("comments after the diff, pass or fail, only with a token to write the note", () => {
    const c = jobs["infra-comment"];
    expect(c.rules?.[0]).toEqual({
      if: '$CI_PIPELINE_SOURCE == "merge_request_event" && $MLOPS_GITLAB_TOKEN',
      when: "always",
    });
    expect(script("infra-comment")).toContain('node examples/ci/gitlab/sticky-note.mjs "$file"');
  });
});

failWhenMissingInCi(
  "GitLab CI scripts with ShellCheck",
  SHELLCHECK ? undefined : "shellcheck not found: bash .ci/steps/actionlint.sh",
);

describe.skipIf(!SHELLCHECK)("GitLab CI scripts, ShellCheck", () => {
  it.each(Object.keys(ci).filter((k) => k !== "workflow" && k !== "stages" && k !== "variables"))(
    "%s: before_script and script pass ShellCheck as bash",
    (name) => {
      const job = ci[name] as GitLabJob;
      const lines = [...(job.before_script ?? []), ...(job.script ?? [])];
      const r = spawnSync(SHELLCHECK ?? "shellcheck", ["-s", "bash", "-"], {
        input: `${lines.join("\n")}\n`,
        encoding: "utf8",
      });
      expect(r.stdout).toBe("");
      expect(r.status).toBe(0);
    },
  );
});

describe("GitLab CI scripts, run", () => {
  let work = "";
  let bin = "";
  let runs = 0;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "gitlab-ci-"));
    bin = stubNpm(work);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function run(job: string, env: Record<string, string>, files: Record<string, string> = {}) {
    const dir = join(work, `run-${++runs}`);
    mkdirSync(dir);
    for (const [f, t] of Object.entries(files)) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), t);
    }
    const r = runCiScript(script(job), {
      cwd: dir,
      bin,
      scratch: work,
      env: {
        CI_MERGE_REQUEST_DIFF_BASE_SHA: "0123456789abcdef0123456789abcdef01234567",
        CI_MERGE_REQUEST_LABELS: "",
        RISK_LABEL: ci.variables.RISK_LABEL,
        ...env,
      },
    });
    return { ...r, npm: r.npm.trim().split("\n") };
  }
  const BASE = "--base 0123456789abcdef0123456789abcdef01234567";

  it("diffs against the merge request's diff base, accepting risk only with the exact label", () => {
    expect(ci.variables.RISK_LABEL).toBe("infra-risk-approved");
    expect(run("infra-diff", {}).npm).toEqual([`run diff -- ${BASE} --out mlops-diff`]);
    expect(run("infra-diff", { CI_MERGE_REQUEST_LABELS: "infra,infra-risk-approved" }).npm).toEqual([
      `run diff -- ${BASE} --out mlops-diff --allow-risk`,
    ]);
    expect(run("infra-diff", { CI_MERGE_REQUEST_LABELS: "infra-risk-approved-later" }).npm).toEqual([
      `run diff -- ${BASE} --out mlops-diff`,
    ]);
  });

  it("fails the job on a risky change, naming the label, and on a diff that could not be made", () => {
    const risky = run("infra-diff", { NPM_STATUS: "1" });
    expect(risky.status).toBe(1);
    expect(risky.stdout).toContain("add the label infra-risk-approved and run a new pipeline");
    expect(run("infra-diff", { NPM_STATUS: "2" }).status).toBe(2);
  });

  it("passes the plans in deploy order to the diff, and keeps going when the plan stopped at an undeployed stack", () => {
    const plans = {
      "mlops-plan/plans.txt":
        "a-foundation=mlops-plan/a-foundation.json\na-platform=mlops-plan/a-platform.json\n",
    };
    const r = run("infra-plan", { NPM_PLAN_STATUS: "3" }, plans);
    expect(r.status).toBe(0);
    expect(r.npm).toEqual([
      "run plan -- --out mlops-plan",
      `run diff -- ${BASE} --out mlops-diff-plan --allow-risk --plan-json a-foundation=mlops-plan/a-foundation.json --plan-json a-platform=mlops-plan/a-platform.json`,
    ]);
    const failed = run("infra-plan", { NPM_PLAN_STATUS: "1" }, plans);
    expect(failed.status).toBe(1);
    expect(failed.npm).toEqual(["run plan -- --out mlops-plan"]);
  });
});

interface Note {
  id: number;
  body: string;
  system: boolean;
  author: { id: number; username: string };
}

describe("sticky merge-request note", () => {
  let server: Server;
  let url = "";
  const notes: Note[] = [];
  const requests: string[] = [];
  const BOT = { id: 99, username: "project_1_bot" };
  const body = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    return JSON.parse(text) as { body: string };
  };

  beforeAll(async () => {
    for (let i = 1; i <= 130; i++)
      notes.push({ id: i, body: `note ${i}`, system: i % 7 === 0, author: { id: 5, username: "alice" } });
    // A person's note quoting the marker: not the one to edit.
    notes.push({
      id: 131,
      body: "<!-- mlops-kit:infra-diff -->\nquoted",
      system: false,
      author: { id: 5, username: "alice" },
    });
    server = createServer(async (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.headers["private-token"] !== "glpat-test") {
        res.writeHead(401).end("{}");
        return;
      }
      const u = new URL(req.url ?? "", "http://x");
      const json = (status: number, data: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(data));
      if (u.pathname === "/api/v4/user") return json(200, BOT);
      const m = /^\/api\/v4\/projects\/group%2Fplatform\/merge_requests\/7\/notes(?:\/(\d+))?$/.exec(
        u.pathname,
      );
      if (!m) return json(404, { message: "404 Not Found" });
      if (req.method === "GET") {
        const page = Number(u.searchParams.get("page"));
        const per = Number(u.searchParams.get("per_page"));
        const slice = notes.slice((page - 1) * per, page * per);
        return json(200, slice, { "x-next-page": page * per < notes.length ? String(page + 1) : "" });
      }
      if (req.method === "POST") {
        const n: Note = { id: 1000 + notes.length, body: (await body(req)).body, system: false, author: BOT };
        notes.push(n);
        return json(201, n);
      }
      const n = notes.find((x) => x.id === Number(m[1]));
      if (req.method === "PUT" && n) {
        n.body = (await body(req)).body;
        return json(200, n);
      }
      return json(404, {});
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  /** The script as the job runs it; asynchronous, so this process's stand-in server can answer it. */
  async function note(text: string, token = "glpat-test") {
    const file = join(tmpdir(), `note-${process.pid}-${requests.length}.md`);
    writeFileSync(file, text);
    try {
      const child = spawn(process.execPath, [join(DIR, "sticky-note.mjs"), file], {
        env: {
          PATH: process.env.PATH,
          CI_API_V4_URL: url,
          CI_PROJECT_ID: "group/platform",
          CI_MERGE_REQUEST_IID: "7",
          MLOPS_GITLAB_TOKEN: token,
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const status = await new Promise<number | null>((done) => child.on("close", done));
      return { status, stdout, stderr };
    } finally {
      rmSync(file, { force: true });
    }
  }

  it("creates the note once, then edits it in place, finding it beyond the first page", async () => {
    const first = await note("### diff v1");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/sticky-note: created note (\d+)/);
    const second = await note("### diff v2");
    expect(second.status, second.stderr).toBe(0);
    const id = /created note (\d+)/.exec(first.stdout)?.[1];
    expect(second.stdout).toContain(`sticky-note: updated note ${id}`);
    const ours = notes.filter((n) => n.author.id === BOT.id);
    expect(ours).toHaveLength(1);
    expect(ours[0].body).toBe("<!-- mlops-kit:infra-diff -->\n### diff v2");
    expect(notes.find((n) => n.id === 131)?.body).toContain("quoted");
    expect(requests.some((r) => r.includes("page=2"))).toBe(true);
  });

  it("fails when GitLab refuses the token, and with exit 2 when a variable is missing", async () => {
    const refused = await note("x", "wrong");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("401");
    const r = spawnSync(process.execPath, [join(DIR, "sticky-note.mjs"), "x.md"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "missing: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, MLOPS_GITLAB_TOKEN",
    );
  });
});
