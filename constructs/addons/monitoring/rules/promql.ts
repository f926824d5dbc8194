/**
 * Metric names a PromQL expression selects. promtool parses PromQL but cannot list the names it uses, so this
 * is a tokenizer that knows what is not a metric name: function calls and aggregations (an identifier before
 * `(`, or an aggregation keyword), binary/set keywords, label matchers inside `{}`, the label lists of
 * `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`, ranges and subqueries inside `[]`, strings,
 * numbers and durations. Syntax itself is checked by the real parser (`promtool check rules`) in the tests.
 */

const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"]);
const LABEL_LISTS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

const IDENT_START = /[a-zA-Z_:]/;
const IDENT = /[a-zA-Z0-9_:]/;

/** Index just past the bracket that closes the one at `start` (strings inside are skipped). */
function skipBalanced(s: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '"' || c === "'" || c === "`") {
      i = skipString(s, i) - 1;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced "${open}" at ${start} in: ${s}`);
}

function skipString(s: string, start: number): number {
  const quote = s[start];
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === "\\" && quote !== "`") i++;
    else if (s[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string at ${start} in: ${s}`);
}

function nextNonSpace(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i] as string)) i++;
  return i;
}

/** The distinct metric names `expr` selects, in order of first appearance (`{__name__="x"}` included). */
export function metricNames(expr: string): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === "#") {
      const nl = expr.indexOf("\n", i);
      i = nl < 0 ? expr.length : nl + 1;
    } else if (c === '"' || c === "'" || c === "`") {
      i = skipString(expr, i);
    } else if (c === "{") {
      const end = skipBalanced(expr, i, "{", "}");
      // A bare selector may name its metric as a matcher.
      const m = /__name__\s*=\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"/.exec(expr.slice(i, end));
      if (m?.[1]) add(m[1]);
      i = end;
    } else if (c === "[") {
      i = skipBalanced(expr, i, "[", "]");
    } else if (/[0-9.]/.test(c)) {
      // Numbers, hex, exponents and durations (5m, 1h30m) are one token.
      while (i < expr.length && /[0-9a-zA-Z._]/.test(expr[i] as string)) i++;
    } else if (IDENT_START.test(c)) {
      let j = i;
      while (j < expr.length && IDENT.test(expr[j] as string)) j++;
      const word = expr.slice(i, j);
      const after = nextNonSpace(expr, j);
      const lower = word.toLowerCase();
      if (LABEL_LISTS.has(lower) && expr[after] === "(") {
        i = skipBalanced(expr, after, "(", ")");
      } else if (
        AGGREGATIONS.has(lower) ||
        KEYWORDS.has(lower) ||
        LABEL_LISTS.has(lower) ||
        expr[after] === "("
      ) {
        i = j;
      } else {
        add(word);
        i = j;
      }
    } else {
      i++;
    }
  }
  return names;
}
