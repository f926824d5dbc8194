// The pull-request workflow's one sticky comment (.github/workflows/pr-infra.yml, job comment), run by
// actions/github-script: `require('./.github/scripts/sticky-comment.cjs')({ github, context, core, body })`.
// The comment is found again by a hidden marker on its first line, written by this workflow's bot only, and
// edited in place, so a pull request keeps one infrastructure comment however many times it is pushed.
// Tested by test/github/workflows/sticky-comment.test.ts with a stand-in for the REST client.

/** First line of the comment: how the workflow finds its own comment again. Invisible in the rendered text. */
const MARKER = "<!-- mlops-kit:infra-diff -->";
/** GitHub refuses an issue comment body longer than this many characters. */
const MAX_BODY = 65536;

/** The body as posted: the marker first, cut under GitHub's limit with a pointer to the artifact. */
function commentBody(text, runUrl) {
  const tail = `\n\n…cut at GitHub's comment limit: the whole diff is the run's artifact (${runUrl}).`;
  const head = `${MARKER}\n`;
  const body = `${head}${text.startsWith(MARKER) ? text.slice(MARKER.length).replace(/^\n/, "") : text}`;
  if (body.length <= MAX_BODY) return body;
  return `${body.slice(0, MAX_BODY - tail.length)}${tail}`;
}

/** The workflow's earlier comment: the first one that starts with the marker and was written by a bot. */
async function findComment(github, context) {
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner: context.repo.owner,
    repo: context.repo.repo,
    issue_number: context.issue.number,
    per_page: 100,
  });
  // A person quoting the marker does not make their comment the one to overwrite.
  return comments.find((c) => c.user?.type === "Bot" && (c.body ?? "").startsWith(MARKER));
}

/** Updates the earlier comment or creates the first; returns what it did and the comment's id. */
async function upsert({ github, context, core, body, runUrl = "" }) {
  const text = commentBody(body, runUrl);
  const existing = await findComment(github, context);
  if (existing) {
    await github.rest.issues.updateComment({
      owner: context.repo.owner,
      repo: context.repo.repo,
      comment_id: existing.id,
      body: text,
    });
    core.info(`updated comment ${existing.id}`);
    return { action: "updated", id: existing.id };
  }
  const { data } = await github.rest.issues.createComment({
    owner: context.repo.owner,
    repo: context.repo.repo,
    issue_number: context.issue.number,
    body: text,
  });
  core.info(`created comment ${data.id}`);
  return { action: "created", id: data.id };
}

module.exports = upsert;
module.exports.MARKER = MARKER;
module.exports.MAX_BODY = MAX_BODY;
module.exports.commentBody = commentBody;
