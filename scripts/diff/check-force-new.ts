import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forcesReplacement } from "./stateful";

/**
 * Checks entries of force-new.json against a real AWS provider, offline: for each case a state holding the
 * resource with one value and a configuration with another, planned with -refresh=false (no API call, fake
 * credentials); the plan's replace_paths is the provider's own answer. Needs Terraform and the provider in a
 * filesystem mirror (the one on this machine: /opt/tf-plugins, hashicorp/aws 5.100.0):
 *   npx tsx scripts/diff/check-force-new.ts [MIRROR] [VERSION]
 * Prints one line per case and exits 1 when the table and the provider disagree.
 */
const mirror = process.argv[2] ?? "/opt/tf-plugins";
const version = process.argv[3] ?? "5.100.0";

interface Case {
  readonly type: string;
  readonly attribute: string;
  /** Arguments the resource needs besides the attribute, HCL. */
  readonly extra?: string;
  readonly before: string;
  readonly after: string;
}

const CASES: Case[] = [
  { type: "aws_s3_bucket", attribute: "bucket", before: '"old-name"', after: '"new-name"' },
  { type: "aws_s3_bucket", attribute: "force_destroy", before: "false", after: "true" },
  {
    type: "aws_kms_key",
    attribute: "key_usage",
    before: '"ENCRYPT_DECRYPT"',
    after: '"SIGN_VERIFY"',
    extra: 'customer_master_key_spec = "RSA_2048"',
  },
  { type: "aws_kms_key", attribute: "description", before: '"a"', after: '"b"' },
  { type: "aws_sqs_queue", attribute: "name", before: '"jobs-a"', after: '"jobs-b"' },
  { type: "aws_glue_catalog_database", attribute: "name", before: '"raw_a"', after: '"raw_b"' },
  { type: "aws_cloudwatch_log_group", attribute: "name", before: '"/a"', after: '"/b"' },
  { type: "aws_cloudwatch_log_group", attribute: "retention_in_days", before: "30", after: "90" },
  { type: "aws_ecr_repository", attribute: "name", before: '"repo-a"', after: '"repo-b"' },
  {
    type: "aws_db_subnet_group",
    attribute: "name",
    before: '"db-a"',
    after: '"db-b"',
    extra: 'subnet_ids = ["subnet-1", "subnet-2"]',
  },
  // Found missing from the table by this script (aws 5.100.0), then added.
  { type: "aws_eip", attribute: "domain", before: '"vpc"', after: '"standard"' },
];

const PROVIDER = `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "${version}" }
  }
}
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
`;

function check(
  c: Case,
  work: string,
  env: NodeJS.ProcessEnv,
): { replaced: boolean | undefined; detail: string } {
  const dir = join(work, `${c.type}-${c.attribute}`);
  spawnSync("mkdir", ["-p", dir]);
  const value = (v: string) =>
    JSON.parse(v.startsWith('"') || /^[\d.]+$|^(true|false)$/.test(v) ? v : JSON.stringify(v));
  const attrs: Record<string, unknown> = { id: "x", [c.attribute]: value(c.before) };
  for (const line of (c.extra ?? "").split("\n").filter(Boolean)) {
    const [k, v] = line.split(/\s*=\s*(.*)/s);
    attrs[k] = JSON.parse(v);
  }
  writeFileSync(
    join(dir, "main.tf"),
    `${PROVIDER}resource "${c.type}" "r" {\n  ${c.attribute} = ${c.after}\n  ${c.extra ?? ""}\n}\n`,
  );
  writeFileSync(
    join(dir, "terraform.tfstate"),
    JSON.stringify({
      version: 4,
      terraform_version: "1.11.4",
      serial: 1,
      lineage: "00000000-0000-0000-0000-000000000001",
      outputs: {},
      resources: [
        {
          mode: "managed",
          type: c.type,
          name: "r",
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [{ schema_version: 0, attributes: attrs }],
        },
      ],
    }),
  );
  const tf = (args: string[]) =>
    spawnSync("terraform", [...args, "-no-color"], { cwd: dir, env, encoding: "utf8" });
  for (const args of [
    ["init", "-input=false"],
    ["plan", "-refresh=false", "-input=false", "-out=p"],
  ]) {
    const r = tf(args);
    if (r.status !== 0)
      return {
        replaced: undefined,
        detail: `terraform ${args[0]} failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`,
      };
  }
  const show = spawnSync("terraform", ["show", "-json", "p"], {
    cwd: dir,
    env,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const plan = JSON.parse(show.stdout) as {
    resource_changes: { change: { actions: string[]; replace_paths?: string[][] } }[];
  };
  const change = plan.resource_changes[0].change;
  const replaced = (change.replace_paths ?? []).some((p) => p[0] === c.attribute);
  return {
    replaced,
    detail: `actions ${change.actions.join(",")}, replace_paths ${JSON.stringify(change.replace_paths ?? [])}`,
  };
}

const work = mkdtempSync(join(tmpdir(), "force-new-"));
const rc = join(work, "terraformrc");
writeFileSync(
  rc,
  `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
);
const env = { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
let disagree = 0;
try {
  for (const c of CASES) {
    const table = forcesReplacement(c.type, [c.attribute]);
    const { replaced, detail } = check(c, work, env);
    const verdict = replaced === undefined ? "unknown" : replaced === table ? "agrees" : "DISAGREES";
    if (verdict === "DISAGREES") disagree++;
    process.stdout.write(
      `${verdict.padEnd(9)} ${c.type}.${c.attribute}: table ${table ? "forces" : "in place"}; provider ${detail}\n`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = disagree > 0 ? 1 : 0;
