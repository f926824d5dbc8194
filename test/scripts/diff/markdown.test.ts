import { describe, expect, it } from "vitest";
import { reportJson } from "../../../scripts/diff/cli";
import { COMMENT_MARKER, GITHUB_COMMENT_LIMIT, renderMarkdown } from "../../../scripts/diff/markdown";
import type { DiffReport, ResourceChange, StackDiff } from "../../../scripts/diff/model";

/** The comment's size budget and stable bytes, on reports built directly (no synth). */

function change(i: number, rows: number): ResourceChange {
  return {
    address: `aws_iam_role_policy.Policy${String(i).padStart(4, "0")}`,
    type: "aws_iam_role_policy",
    mode: "managed",
    action: "update",
    attributes: Array.from({ length: rows }, (_, r) => ({
      path: `policy.Statement[${r}].Resource`,
      before: JSON.stringify(`arn:aws:s3:::bucket-${i}-${r}/old/*`),
      after: JSON.stringify(`arn:aws:s3:::bucket-${i}-${r}/new/*`),
    })),
    flags: [],
  };
}

const stack = (name: string, n: number, rows: number): StackDiff => ({
  name,
  changes: Array.from({ length: n }, (_, i) => change(i, rows)),
});

const report = (stacks: StackDiff[]): DiffReport => ({
  format: "mlops-kit-diff/1",
  base: "main",
  head: "pr",
  sections: [{ title: "default", source: "synth", stacks, notes: [] }],
});

describe("the comment", () => {
  it("starts with the marker, the verdict and the summary table, then one <details> per changed stack", () => {
    const md = renderMarkdown(
      report([stack("a-foundation", 1, 1), stack("a-platform", 0, 0), stack("a-resources", 2, 1)]),
    );
    const lines = md.split("\n");
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toBe("## Infrastructure diff: `main` → `pr`");
    expect(md.indexOf("| stack |")).toBeLessThan(md.indexOf("<details>"));
    expect(md.match(/<details>/g)?.length).toBe(2);
    expect(md).toContain("| a-platform | 0 | 0 | 0 | 0 | 0 | 0 | 0 |");
  });

  it("stays under the limit for a huge diff: stacks in full while they fit, then compact, then left out with a pointer", () => {
    const big = report(Array.from({ length: 12 }, (_, i) => stack(`s${i}`, 300, 5)));
    const md = renderMarkdown(big, { limit: 60000 });
    expect(md.length).toBeLessThanOrEqual(60000);
    expect(md.length).toBeGreaterThan(40000);
    expect(md).toContain("the full diff is in the `diff.json` artifact");
    expect(md).toContain("Attributes left out to stay under GitHub's comment limit");
    // Every stack still has its row in the summary table.
    for (let i = 0; i < 12; i++) expect(md).toContain(`| s${i} | 0 | 300 |`);
    expect(renderMarkdown(big, { limit: GITHUB_COMMENT_LIMIT }).length).toBeLessThanOrEqual(
      GITHUB_COMMENT_LIMIT,
    );
  });

  it("is the whole diff when it fits", () => {
    const md = renderMarkdown(report([stack("s", 3, 2)]));
    expect(md).not.toContain("artifact");
    expect(md.match(/\| <code>policy\.Statement\[\d\]\.Resource<\/code> \|/g)?.length).toBe(6);
  });

  it("escapes what would break a table: pipes, newlines and HTML in values", () => {
    const r = report([stack("s", 1, 1)]);
    const c = r.sections[0].stacks[0].changes[0] as unknown as {
      attributes: { path: string; before?: string; after?: string }[];
    };
    c.attributes[0] = { path: "data.script", before: '"a | b"', after: '"<script>\\nx"' };
    const md = renderMarkdown(r);
    expect(md).toContain("<code>&quot;a &#124; b&quot;</code>".replace(/&quot;/g, '"'));
    expect(md).toContain('<code>"&lt;script&gt;\\nx"</code>');
  });

  it("gives the same bytes for the same report, in the Markdown and the JSON (sorted keys)", () => {
    const a = report([stack("s", 5, 3)]);
    const b = JSON.parse(JSON.stringify(a)) as DiffReport;
    expect(renderMarkdown(b)).toBe(renderMarkdown(a));
    expect(reportJson(b, false)).toBe(reportJson(a, false));
    const keys = Object.keys(JSON.parse(reportJson(a, false)));
    expect(keys).toEqual([...keys].sort());
  });
});
