// Per-team review requests of the pull-request workflow (.github/workflows/pr-infra.yml, job comment), run by
// actions/github-script after the sticky comment. CODEOWNERS routes a team's folder; a change to a team's block
// in the shared configuration file changes the team's stacks instead, which the diff lists. This asks the
// reviewers of every team whose stacks (`npm run codeowners -- --routing`) have a change in the diff
// (diff.json, format mlops-kit-diff/1) for a review. Advisory: branch protection enforces CODEOWNERS only.
// Tested by test/github/workflows/route-reviewers.test.ts.

/** Teams with at least one changed resource in one of their stacks, in routing order. */
function changedTeams(routing, report) {
  const changed = new Set();
  for (const section of report.sections ?? []) {
    for (const stack of section.stacks ?? []) if ((stack.changes ?? []).length > 0) changed.add(stack.name);
  }
  return (routing.teams ?? []).filter((t) => t.stacks.some((s) => changed.has(s)));
}

/**
 * GitHub's two lists: `@user` goes to reviewers, `@org/team` to team_reviewers when the org owns the repository
 * (GitHub cannot request another organization's team). The pull request's author cannot be asked.
 */
function reviewRequest(teams, owner, author) {
  const reviewers = new Set();
  const teamReviewers = new Set();
  const skipped = [];
  for (const t of teams) {
    for (const r of t.reviewers) {
      const [who, slug] = r.replace(/^@/, "").split("/");
      if (slug === undefined) {
        if (who.toLowerCase() !== String(author).toLowerCase()) reviewers.add(who);
      } else if (who.toLowerCase() === owner.toLowerCase()) teamReviewers.add(slug);
      else skipped.push(r);
    }
  }
  return { reviewers: [...reviewers].sort(), team_reviewers: [...teamReviewers].sort(), skipped };
}

async function routeReviewers({ github, context, core, routing, report }) {
  const teams = changedTeams(routing, report);
  if (teams.length === 0) {
    core.info("no team stack changes: no review requested");
    return { teams: [], reviewers: [], team_reviewers: [] };
  }
  const author = context.payload.pull_request?.user?.login ?? "";
  const req = reviewRequest(teams, context.repo.owner, author);
  for (const r of req.skipped) core.warning(`${r} is a team of another organization: not requested`);
  const names = teams.map((t) => t.team);
  if (req.reviewers.length + req.team_reviewers.length > 0) {
    try {
      await github.rest.pulls.requestReviewers({
        owner: context.repo.owner,
        repo: context.repo.repo,
        pull_number: context.issue.number,
        reviewers: req.reviewers,
        team_reviewers: req.team_reviewers,
      });
      core.info(`review requested for teams ${names.join(", ")}`);
    } catch (err) {
      // A team the token cannot see, a reviewer without access: the comment still stands.
      core.warning(`review request for teams ${names.join(", ")} failed: ${err.message}`);
    }
  }
  return { teams: names, reviewers: req.reviewers, team_reviewers: req.team_reviewers };
}

module.exports = routeReviewers;
module.exports.changedTeams = changedTeams;
module.exports.reviewRequest = reviewRequest;
