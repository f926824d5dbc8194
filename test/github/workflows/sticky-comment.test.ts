/**
 * The pull-request workflow's sticky comment (.github/scripts/sticky-comment.cjs), run as actions/github-script
 * runs it, against an in-memory stand-in for GitHub's issue-comment API (list with pagination, create, update):
 * one comment per pull request, found again by its marker and edited in place.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const require = createRequire(import.meta.url);

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: "Bot" | "User" };
}
interface Upsert {
  (args: {
    github: unknown;
    context: unknown;
    core: { info: (m: string) => void };
    body: string;
    runUrl?: string;
  }): Promise<{ action: "created" | "updated"; id: number }>;
  MARKER: string;
  MAX_BODY: number;
}
const upsert = require(join(ROOT, ".github", "scripts", "sticky-comment.cjs")) as Upsert;

/** Issue comments of one pull request, served 100 per page as the REST API does. */
function fakeGitHub(initial: Comment[]) {
  const comments = [...initial];
  let next = 1000;
  const calls: string[] = [];
  const listComments = async (p: { issue_number: number; per_page: number; page?: number }) => {
    const page = p.page ?? 1;
    return { data: comments.slice((page - 1) * p.per_page, page * p.per_page) };
  };
  const github = {
    rest: {
      issues: {
        listComments,
        createComment: async (p: { issue_number: number; body: string }) => {
          calls.push(`create #${p.issue_number}`);
          const c: Comment = {
            id: next++,
            body: p.body,
            user: { login: "github-actions[bot]", type: "Bot" },
          };
          comments.push(c);
          return { data: c };
        },
        updateComment: async (p: { comment_id: number; body: string }) => {
          calls.push(`update ${p.comment_id}`);
          const c = comments.find((x) => x.id === p.comment_id);
          if (!c) throw new Error(`no comment ${p.comment_id}`);
          c.body = p.body;
          return { data: c };
        },
      },
    },
    // Octokit's paginate: every page until a short one.
    paginate: async (fn: typeof listComments, p: { issue_number: number; per_page: number }) => {
      const all: Comment[] = [];
      for (let page = 1; ; page++) {
        const { data } = await fn({ ...p, page });
        all.push(...data);
        if (data.length < p.per_page) return all;
      }
    },
  };
  return { github, comments, calls };
}

const context = { repo: { owner: "acme", repo: "platform" }, issue: { number: 42 } };
const core = { info: () => {} };
const human = (id: number, body: string): Comment => ({ id, body, user: { login: "alice", type: "User" } });

describe("sticky diff comment", () => {
  it("creates one comment starting with the hidden marker, then edits that one on every later run", async () => {
    const gh = fakeGitHub([human(1, "looks good")]);
    const first = await upsert({ github: gh.github, context, core, body: "### diff v1" });
    expect(first.action).toBe("created");
    const second = await upsert({ github: gh.github, context, core, body: "### diff v2" });
    expect(second).toEqual({ action: "updated", id: first.id });
    expect(gh.calls).toEqual(["create #42", `update ${first.id}`]);
    const ours = gh.comments.filter((c) => c.body.startsWith(upsert.MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0].body).toBe(`${upsert.MARKER}\n### diff v2`);
    expect(upsert.MARKER).toBe("<!-- mlops-kit:infra-diff -->");
  });

  it("finds its comment beyond the first page of comments", async () => {
    const many = Array.from({ length: 250 }, (_, i) => human(i + 1, `comment ${i}`));
    const gh = fakeGitHub(many);
    const created = await upsert({ github: gh.github, context, core, body: "a" });
    const again = await upsert({ github: gh.github, context, core, body: "b" });
    expect(again).toEqual({ action: "updated", id: created.id });
    expect(gh.comments).toHaveLength(251);
  });

  it("does not overwrite a person's comment that quotes the marker", async () => {
    const gh = fakeGitHub([human(7, `${"<!-- mlops-kit:infra-diff -->"}\nI pasted the old diff`)]);
    const r = await upsert({ github: gh.github, context, core, body: "### diff" });
    expect(r.action).toBe("created");
    expect(gh.comments.find((c) => c.id === 7)?.body).toContain("I pasted the old diff");
  });

  it("keeps the marker once when the body already starts with it", async () => {
    const gh = fakeGitHub([]);
    await upsert({ github: gh.github, context, core, body: `${upsert.MARKER}\n### diff` });
    expect(gh.comments[0].body).toBe(`${upsert.MARKER}\n### diff`);
  });

  it("cuts a body over GitHub's 65536-character limit and points to the run's artifact", async () => {
    const gh = fakeGitHub([]);
    const url = "https://github.com/acme/platform/actions/runs/1";
    await upsert({ github: gh.github, context, core, body: "x".repeat(70_000), runUrl: url });
    const body = gh.comments[0].body;
    expect(body.length).toBeLessThanOrEqual(65536);
    expect(body.startsWith(upsert.MARKER)).toBe(true);
    expect(body.endsWith(`the whole diff is the run's artifact (${url}).`)).toBe(true);
  });
});
