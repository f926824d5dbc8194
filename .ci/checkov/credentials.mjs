// Credentials scan: no static credential or plain password in any synthesized stack or in the kit's sources.
// Two detectors, because neither alone covers both:
//  - checkov's `secrets` framework (offline with --skip-download: regex/entropy detectors such as CKV_SECRET_2
//    AWS access key, CKV_SECRET_6 base64 high entropy, CKV_SECRET_13 private key) over each stack dir and over
//    the source dirs given with --sources. It reads files line by line, so it misses a password inside the YAML
//    string of a helm_release's `values`.
//  - credentialHits(): walks the synthesized JSON (Helm values parsed as YAML) for AWS key ids, PEM private keys
//    and secret-like keys (password, token, …) or env vars holding literal values instead of references.
// Prints findings per stack/source dir with file, line and check id; exits 1 on any finding.
// Usage: node .ci/checkov/credentials.mjs <label>=<cdktf outdir> [...] [--sources <dir> ...]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parse } from "yaml";

const checkov = process.env.CHECKOV_BIN || "checkov";

const ACCESS_KEY_ID = /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** Keys whose value must never be a literal. */
const SECRET_KEY =
  /(password|passwd|secret|token|access[_-]?key([_-]?id)?|private[_-]?key|fernet|credentials?)$/i;
/** Values that are references, not secrets: Terraform expressions, ESO templates, env-var or secret-name lookups. */
const REFERENCE = /^\$\{.*\}$|\{\{[^}]*\}\}|^$|^(true|false)$/;
/** Keys that name where a secret lives rather than holding it. */
const NAMES_A_SECRET =
  /(secret|password|token|credentials?)[-_]?(name|ref|arn|key[-_]?ref|file|path|id|mount)s?$|^existing|secretname|secretref|secretkeyref|secretarn/i;
/**
 * Source files skipped (checkov --skip-path regexes), each holding a deliberately fake key on purpose:
 * - service/test/feedback/msk-iam.test.ts: fixed AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY strings
 *   ("AKIDTEST…", "test/secret/key/…") that the offline MSK IAM signer test signs with and re-verifies; no AWS
 *   account has them.
 */
export const SKIPPED_SOURCES = ["service/test/feedback/msk-iam\\.test\\.ts$"];
/**
 * cdktf's `//`.outputs map names each cross-stack output by an identifier like
 * `cross-stack-output-aws_db_instanceXmaster_user_secret0secret_arn`: an output name, not a value, but long and
 * random-looking enough for checkov's entropy detector (CKV_SECRET_6).
 */
const CDKTF_OUTPUT_ID = /^\s*"cross-stack-output-[^"]+":\s*"cross-stack-output-[A-Za-z0-9_-]+",?\s*$/;

function scan(value, path, hits) {
  if (typeof value === "string") {
    if (ACCESS_KEY_ID.test(value)) hits.push({ path, why: "AWS access key id pattern" });
    if (PRIVATE_KEY.test(value)) hits.push({ path, why: "PEM private key" });
    // Helm values travel as YAML strings: scan inside them too (only a release's: IAM conditions have values too).
    if (/\.helm_release\.[^.]+\.values\[\d+\]$/.test(path)) {
      try {
        scan(parse(value), `${path}<yaml>`, hits);
      } catch {
        hits.push({ path, why: "Helm values that do not parse as YAML" });
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) scan(v, `${path}[${i}]`, hits);
    return;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const here = `${path}.${k}`;
      if (SECRET_KEY.test(k) && !NAMES_A_SECRET.test(k) && (typeof v === "string" || typeof v === "number")) {
        if (!REFERENCE.test(String(v)))
          hits.push({ path: here, why: `literal value for a secret-like key "${k}"` });
      }
      // Kubernetes env entries: { name: SOMETHING_PASSWORD, value: "literal" }.
      if (
        k === "value" &&
        typeof v === "string" &&
        typeof value.name === "string" &&
        SECRET_KEY.test(value.name)
      ) {
        if (!REFERENCE.test(v)) hits.push({ path: here, why: `literal value for env var "${value.name}"` });
      }
      scan(v, here, hits);
    }
  }
}

/** Credential-like literals in a synthesized stack (or any JSON): `{ path, why }` per hit. */
export function credentialHits(json, root = "$") {
  const hits = [];
  scan(json, root, hits);
  return hits;
}

/**
 * checkov's secrets framework over `dirs` (one process: checkov prints one JSON document per `-d`, concatenated).
 * Returns the failed checks, minus cdktf's cross-stack output identifiers.
 */
export function checkovSecrets(dirs) {
  const run = spawnSync(
    checkov,
    [
      "--framework",
      "secrets",
      ...dirs.flatMap((d) => ["-d", d]),
      "--enable-secret-scan-all-files",
      "--skip-path",
      "node_modules",
      ...SKIPPED_SOURCES.flatMap((p) => ["--skip-path", p]),
      "--skip-download",
      "--quiet",
      "-o",
      "json",
    ],
    { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.error)
    throw new Error(
      `cannot run ${checkov}: ${run.error.message} (run .ci/steps/checkov.sh, set CHECKOV_BIN)`,
    );
  // Each top-level document starts at column 0; nested lines are indented.
  const docs = run.stdout.split(/^(?=[{[])/m).filter((d) => d.trim());
  if (docs.length === 0)
    throw new Error(`checkov printed no JSON (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  const failed = docs
    .flatMap((d) => {
      const out = JSON.parse(d);
      return (Array.isArray(out) ? out : [out]).flatMap((r) => r.results?.failed_checks ?? []);
    })
    .filter((f) => {
      const line = readFileSync(f.file_abs_path, "utf8").split("\n")[f.file_line_range[0] - 1] ?? "";
      return !(f.check_id === "CKV_SECRET_6" && CDKTF_OUTPUT_ID.test(line));
    });
  // With several -d, checkov can report a finding once per document: keep one per check, file and line.
  const unique = new Map(
    failed.map((f) => [
      `${f.check_id} ${f.file_abs_path}:${f.file_line_range[0]}`,
      { check: f.check_id, name: f.check_name, file: f.file_abs_path, line: f.file_line_range[0] },
    ]),
  );
  return [...unique.values()];
}

/**
 * Scans every stack of each `label=outdir` and the `sources` dirs; returns report lines and findings
 * (`label/stack: CHECK file:line name`).
 */
export function scanCredentials(targets, sources = []) {
  const stacks = targets.flatMap((arg) => {
    const [label, outdir] = arg.includes("=") ? arg.split("=", 2) : [arg, arg];
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    return Object.values(manifest.stacks).map((s) => ({
      name: `${label}/${s.name}`,
      dir: join(outdir, dirname(s.synthesizedStackPath)),
      file: join(outdir, s.synthesizedStackPath),
    }));
  });
  const units = [...stacks, ...sources.map((d) => ({ name: `source ${d}`, dir: d }))];
  const secrets = units.length > 0 ? checkovSecrets(units.map((u) => u.dir)) : [];
  const report = [];
  const findings = [];
  for (const u of units) {
    const mine = secrets.filter((f) => !relative(u.dir, f.file).startsWith(".."));
    for (const f of mine) findings.push(`${u.name}: ${f.check} ${f.file}:${f.line} ${f.name}`);
    const hits = u.file ? credentialHits(JSON.parse(readFileSync(u.file, "utf8")), "$") : [];
    for (const h of hits) findings.push(`${u.name}: MLOPS-CRED ${u.file} ${h.path}: ${h.why}`);
    report.push(`  ${u.name.padEnd(60)} checkov secrets ${mine.length}  literals ${hits.length}`);
  }
  return { report, findings };
}

function main(argv) {
  const i = argv.indexOf("--sources");
  const targets = i < 0 ? argv : argv.slice(0, i);
  const sources = i < 0 ? [] : argv.slice(i + 1);
  const version = spawnSync(checkov, ["--version"], { encoding: "utf8" }).stdout?.trim();
  console.log(`credentials scan: checkov ${version} (secrets) + synthesized-JSON literal detector`);
  const { report, findings } = scanCredentials(targets, sources);
  for (const l of report) console.log(l);
  console.log(`credentials scan total: ${findings.length} finding(s) in ${report.length} stack(s)/dir(s)`);
  if (findings.length > 0) {
    console.error(`credentials scan: ${findings.length} finding(s):\n  ${findings.join("\n  ")}`);
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.slice(2)));
