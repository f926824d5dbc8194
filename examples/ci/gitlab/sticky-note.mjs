// The GitLab pipeline's one sticky merge-request note (examples/ci/gitlab/.gitlab-ci.yml, job infra-comment),
// the counterpart of .github/scripts/sticky-comment.cjs: finds the note starting with the hidden marker among
// the merge request's notes (every page) and edits it, or creates it. Node 20+ (global fetch), no dependencies.
// Usage: node examples/ci/gitlab/sticky-note.mjs <markdown file>
// Environment: GitLab's CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, and MLOPS_GITLAB_TOKEN: a project
// access token with the api scope (a masked CI/CD variable; CI_JOB_TOKEN cannot write notes).
import { readFileSync } from "node:fs";

export const MARKER = "<!-- mlops-kit:infra-diff -->";
/** GitLab's note limit is 1,000,000 characters; the diff stays under GitHub's 65536 anyway. */
const MAX_BODY = 1_000_000;

export function noteBody(text) {
  const body = `${MARKER}\n${text.startsWith(MARKER) ? text.slice(MARKER.length).replace(/^\n/, "") : text}`;
  return body.length <= MAX_BODY
    ? body
    : `${body.slice(0, MAX_BODY - 100)}\n\n…cut: see the job's artifacts.`;
}

export async function upsertNote({ api, project, mr, token, text }) {
  const base = `${api}/projects/${encodeURIComponent(project)}/merge_requests/${mr}/notes`;
  const call = async (url, init = {}) => {
    const res = await fetch(url, {
      ...init,
      headers: { "PRIVATE-TOKEN": token, "Content-Type": "application/json", ...init.headers },
    });
    if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
    return res;
  };
  // The token's own user (a project access token has a bot user): only its notes are candidates.
  const me = await (await call(`${api}/user`)).json();
  let existing;
  for (let page = "1"; page && !existing; ) {
    const res = await call(`${base}?per_page=100&page=${page}&sort=asc&order_by=created_at`);
    const notes = await res.json();
    // Not a system note, not a person quoting the marker.
    existing = notes.find((n) => !n.system && n.author?.id === me.id && n.body.startsWith(MARKER));
    page = res.headers.get("x-next-page");
  }
  const body = JSON.stringify({ body: noteBody(text) });
  if (existing) {
    await call(`${base}/${existing.id}`, { method: "PUT", body });
    return { action: "updated", id: existing.id };
  }
  const created = await (await call(base, { method: "POST", body })).json();
  return { action: "created", id: created.id };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const env = process.env;
  const missing = ["CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID", "MLOPS_GITLAB_TOKEN"].filter(
    (k) => !env[k],
  );
  if (missing.length > 0 || !process.argv[2]) {
    console.error(
      `sticky-note: usage: node sticky-note.mjs <markdown file>; missing: ${missing.join(", ") || "the file"}`,
    );
    process.exit(2);
  }
  const r = await upsertNote({
    api: env.CI_API_V4_URL,
    project: env.CI_PROJECT_ID,
    mr: env.CI_MERGE_REQUEST_IID,
    token: env.MLOPS_GITLAB_TOKEN,
    text: readFileSync(process.argv[2], "utf8"),
  });
  console.log(`sticky-note: ${r.action} note ${r.id}`);
}
