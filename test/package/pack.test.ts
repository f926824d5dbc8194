import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The kit as another repository sees it: build, `npm pack`, install the tarball into a fresh cdktf project in
 * the OS temp folder (outside this repository, so nothing resolves through its node_modules by accident),
 * type-check an app that imports every entry point with `module: nodenext` (what Node's ESM loader does), run
 * it with plain `node` and read the synthesized Terraform JSON. The peers (cdktf, constructs, providers) and the
 * compiler are linked from this repository's node_modules; the kit's own dependencies come from the tarball's
 * manifest through npm (its cache first), so a dependency the manifest forgets fails the run.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const MANIFEST = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
  peerDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
const NAME = MANIFEST.name;
/** Linked from this repository: the peers, and what the consumer needs to compile. */
const LINKED = [...Object.keys(MANIFEST.peerDependencies), "typescript", "@types/node"];
const ENTRY_POINTS = Object.entries(MANIFEST.exports).filter(([subpath]) => subpath !== "./package.json");

interface PackResult {
  filename: string;
  files: { path: string }[];
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} in ${cwd} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Every entry point: imported at runtime (each must export something) and for its types. */
function entriesModule(): string {
  const lines = ENTRY_POINTS.map(([subpath], i) => `import * as e${i} from "${NAME}${subpath.slice(1)}";`);
  lines.push(
    `export const entryPoints: Record<string, number> = {`,
    ...ENTRY_POINTS.map(([subpath], i) => `  ${JSON.stringify(subpath)}: Object.keys(e${i}).length,`),
    `};`,
  );
  return `${lines.join("\n")}\n`;
}

const APP = `
import { writeFileSync } from "node:fs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { buildPlatform as buildFromRoot } from "${NAME}";
import { buildPlatform, type PlatformBlueprint } from "${NAME}/blueprint";
import { parsePlatformConfig, type PlatformConfig } from "${NAME}/config";
import { KmsKey } from "${NAME}/constructs/core";
import { DataLake } from "${NAME}/constructs/data-lake";
import { PlatformReference, stackName } from "${NAME}/stacks";
import { TeamEnvironmentStack } from "${NAME}/teams";
import { entryPoints } from "./entries.js";

// Types are the kit's, not \`any\`: a declaration that failed to resolve would make these lines compile.
// @ts-expect-error a platform name must be a string
const wrongName: PlatformConfig["name"] = 42;
// @ts-expect-error buildPlatform takes an App and a parsed configuration
const neverCalled = () => buildPlatform("not an app");
void wrongName;
void neverCalled;

const outdir = process.argv[2] ?? "cdktf.out";
const app = new App({ outdir });
const config: PlatformConfig = parsePlatformConfig({
  preset: "minimal",
  name: "consumer",
  environment: "dev",
  region: "eu-west-1",
  addons: { awsLoadBalancerController: { enabled: true } },
  teams: { fraud: { members: [{ arn: "arn:aws:iam::111122223333:role/alice", access: "edit" }] } },
});
const platform: PlatformBlueprint = buildPlatform(app, config);
if (buildFromRoot !== buildPlatform) throw new Error("the root entry re-exports another buildPlatform");

class TeamStack extends TerraformStack {
  constructor(scope: App, id: string) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: "eu-west-1" });
    const key = new KmsKey(this, "Key", { description: "team key" });
    const lake = new DataLake(this, "Lake", { namePrefix: "team-x", zones: { raw: {} } });
    new TerraformOutput(this, "key_arn", { value: key.keyArn });
    new TerraformOutput(this, "raw_bucket", { value: lake.buckets.raw?.bucketName });
    // A team's app reading the applied platform's outputs (its state, not a cross-stack reference).
    const platformRef = PlatformReference.fromConfig(this, "Platform", config);
    new TerraformOutput(this, "platform_cluster", { value: platformRef.clusterName });
  }
}
new TeamStack(app, "team-x");
app.synth();
writeFileSync(
  \`\${outdir}/consumer.json\`,
  JSON.stringify({
    entryPoints,
    stacks: {
      foundation: platform.foundation.node.id,
      platform: platform.platform.node.id,
      expectedFoundation: stackName(config, "foundation"),
      teams: app.node.children.filter((c) => c instanceof TeamEnvironmentStack).map((c) => c.node.id),
    },
  }),
);
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023"],
    module: "nodenext",
    moduleResolution: "nodenext",
    strict: true,
    types: ["node"],
    rootDir: "src",
    outDir: "out",
    skipLibCheck: true,
  },
  include: ["src"],
};

interface StackJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
}

describe("the packed kit in a fresh cdktf project", () => {
  let work: string;
  let pack: PackResult;
  let project: string;
  let outdir: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "mlops-kit-pack-"));
    run("npm", ["run", "--silent", "build"], ROOT);
    // Scripts ran above (prepack builds too); --ignore-scripts keeps --json's stdout to the JSON.
    const packed = JSON.parse(
      run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], ROOT),
    ) as PackResult[];
    pack = packed[0] as PackResult;

    project = join(work, "consumer");
    mkdirSync(join(project, "src"), { recursive: true });
    const dependencies: Record<string, string> = { [NAME]: `file:${join(work, pack.filename)}` };
    for (const name of LINKED) dependencies[name] = `file:${join(ROOT, "node_modules", name)}`;
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }, null, 2),
    );
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(project, "src", "main.ts"), APP);
    writeFileSync(join(project, "src", "entries.ts"), entriesModule());
    // --legacy-peer-deps: npm 11's arborist crashes placing peers onto linked (file: directory) packages
    // ("Cannot read properties of null (reading 'matches')"); the peers are this project's own dependencies,
    // and the test below checks the ranges the tarball declares.
    run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--legacy-peer-deps",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--loglevel=error",
      ],
      project,
    );
    outdir = join(project, "cdktf.out");
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("packs the build and nothing of the repository's sources, tests or service", () => {
    const paths = pack.files.map((f) => f.path);
    expect(paths).toContain("package.json");
    expect(paths).toContain("README.md");
    expect(paths).toContain("LICENSE");
    const sources = paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"));
    expect(sources).toEqual([]);
    expect(paths.filter((p) => /^(test|service|scripts|examples|bench|pipelines)\//.test(p))).toEqual([]);
    // Only the package's source folders are compiled: a module importing tooling would drag it into dist/.
    const outside = paths.filter(
      (p) =>
        p.startsWith("dist/") &&
        !/^dist\/(index\.(js|d\.ts)|(config|constructs|stacks|blueprints)\/)/.test(p),
    );
    expect(outside).toEqual([]);
    // Read at runtime by the ALB controller's policy (an import with type json).
    expect(paths).toContain("dist/constructs/addons/aws-load-balancer-controller/iam-policy.json");
  });

  it("ships the file behind every entry point, for JavaScript and for types", () => {
    const paths = new Set(pack.files.map((f) => f.path));
    for (const [subpath, target] of ENTRY_POINTS) {
      expect(typeof target, subpath).toBe("object");
      const { types, default: js } = target as { types: string; default: string };
      expect(paths.has(js.replace(/^\.\//, "")), `${subpath} → ${js}`).toBe(true);
      expect(paths.has(types.replace(/^\.\//, "")), `${subpath} → ${types}`).toBe(true);
    }
  });

  it("installs with the peers it declares and the dependencies its manifest lists", () => {
    const installed = JSON.parse(
      readFileSync(join(project, "node_modules", NAME, "package.json"), "utf8"),
    ) as typeof MANIFEST & { private?: boolean; version: string };
    expect(installed.private).toBeUndefined();
    expect(installed.version).toMatch(/^0\.\d+\.\d+$/);
    for (const dep of Object.keys(MANIFEST.dependencies)) {
      expect(existsSync(join(project, "node_modules", dep, "package.json")), dep).toBe(true);
    }
    for (const peer of Object.keys(MANIFEST.peerDependencies)) {
      expect(installed.peerDependencies[peer], peer).toMatch(/^\^\d+\.\d+\.\d+$/);
      expect(Object.keys(installed.dependencies)).not.toContain(peer);
    }
  });

  it("type-checks an app importing every entry point with moduleResolution nodenext", () => {
    const tsc = join(project, "node_modules", "typescript", "bin", "tsc");
    run(process.execPath, [tsc, "-p", "tsconfig.json"], project);
    expect(existsSync(join(project, "out", "main.js"))).toBe(true);
  }, 120_000);

  it("synthesizes the blueprint and the kit's constructs with plain node", () => {
    execFileSync(process.execPath, [join(project, "out", "main.js"), outdir], {
      cwd: project,
      stdio: "pipe",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    const report = JSON.parse(readFileSync(join(outdir, "consumer.json"), "utf8")) as {
      entryPoints: Record<string, number>;
      stacks: { foundation: string; platform: string; expectedFoundation: string; teams: string[] };
    };
    for (const [subpath] of ENTRY_POINTS) {
      expect(report.entryPoints[subpath], `exports of ${subpath}`).toBeGreaterThan(0);
    }
    expect(report.stacks.foundation).toBe(report.stacks.expectedFoundation);
    // The blueprint's team stacks are the class the ./teams entry exports (one module instance).
    expect(report.stacks.teams).toEqual(["consumer-dev-team-fraud-dev"]);

    const stacks = readdirSync(join(outdir, "stacks")).sort();
    expect(stacks).toEqual(
      expect.arrayContaining([
        "consumer-dev-foundation",
        "consumer-dev-platform",
        "consumer-dev-team-fraud-dev",
        "team-x",
      ]),
    );
    const read = (stack: string) =>
      JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as StackJson;

    const foundation = read("consumer-dev-foundation");
    expect(Object.values(foundation.resource?.aws_eks_cluster ?? {})).toHaveLength(1);
    expect(Object.keys(foundation.output ?? {})).toContain("cluster_oidc_provider_arn");

    // The ALB controller's policy comes from the JSON file shipped next to its module.
    const platform = read("consumer-dev-platform");
    const policies = Object.values(platform.resource?.aws_iam_role_policy ?? {}).map((p) => String(p.policy));
    expect(policies.some((p) => p.includes("elasticloadbalancing:CreateLoadBalancer"))).toBe(true);

    const team = read("team-x");
    expect(Object.keys(team.resource?.aws_kms_key ?? {}).length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(team.resource?.aws_s3_bucket ?? {}).length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(team.output ?? {})).toEqual(
      expect.arrayContaining(["key_arn", "raw_bucket", "platform_cluster"]),
    );
    const remote = (team as { data?: Record<string, Record<string, { config: { path?: string } }>> }).data
      ?.terraform_remote_state;
    expect(Object.values(remote ?? {}).map((s) => s.config.path)).toEqual([
      "../../../terraform.consumer-dev-foundation.tfstate",
    ]);
  }, 120_000);
});
