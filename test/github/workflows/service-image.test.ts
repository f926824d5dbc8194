/**
 * The image workflow users run (.github/workflows/service-image.yml), read as GitHub reads it: what it builds,
 * with which credentials, where it pushes and what it tells the user to put in the configuration.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parsePlatformConfig } from "../../../config";
import { configReferenceMarkdown } from "../../../config/reference";
import { DEFAULT_REPOSITORY } from "../../../config/registry";
import { ECR_PUSH_ACTIONS } from "../../../constructs/registry/container-repository";
import { gh } from "../../support/actionlint";
import { usesAction, type WorkflowJob } from "../../support/workflows";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const TEXT = readFileSync(join(ROOT, ".github", "workflows", "service-image.yml"), "utf8");

const workflow = parse(TEXT) as {
  on: Record<string, { branches?: string[]; paths?: string[] } | null>;
  permissions: Record<string, string>;
  jobs: Record<string, WorkflowJob>;
};

const action = usesAction;

describe("service image workflow", () => {
  const { build, push } = workflow.jobs;

  it("reads the repository only, and only the push job may ask for an OIDC token", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(push.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(build.permissions).toEqual({ contents: "read" });
  });

  it("pushes only outside pull requests: pull requests build without credentials", () => {
    expect(build.if).toBe("github.event_name == 'pull_request'");
    expect(push.if).toBe("github.event_name != 'pull_request'");
    expect(action(build, "aws-actions/configure-aws-credentials")).toEqual([]);
    expect(action(build, "docker/build-push-action")[0].with?.push).toBe(false);
    expect(action(push, "docker/build-push-action")[0].with?.push).toBe(true);
  });

  it("builds service/Dockerfile from the repository root, where its ignore file and the root lockfile apply", () => {
    for (const job of [build, push]) {
      const [b] = action(job, "docker/build-push-action");
      expect(b.with).toMatchObject({ context: ".", file: "service/Dockerfile", platforms: "linux/amd64" });
      // A single image manifest: its digest is the image's, with no untagged attestation children.
      expect(b.with).toMatchObject({ provenance: false, sbom: false });
      expect(action(job, "docker/setup-buildx-action")).toHaveLength(1);
    }
    expect(existsSync(join(ROOT, "service", "Dockerfile"))).toBe(true);
    expect(existsSync(join(ROOT, "service", "Dockerfile.dockerignore"))).toBe(true);
    // The Dockerfile copies from the root (workspaces): a context of service/ would miss the lockfile.
    expect(readFileSync(join(ROOT, "service", "Dockerfile"), "utf8")).toMatch(
      /^COPY package\.json package-lock\.json/m,
    );
  });

  it("assumes the role named by a repository variable, in the region of another, without stored keys", () => {
    const [creds] = action(push, "aws-actions/configure-aws-credentials");
    expect(creds.with?.["role-to-assume"]).toBe(gh("vars.AWS_ROLE_ARN"));
    expect(creds.with?.["aws-region"]).toBe(gh("vars.AWS_REGION"));
    expect(Object.keys(creds.with ?? {}).filter((k) => /access-key|secret|session-token/.test(k))).toEqual(
      [],
    );
    expect(TEXT).not.toMatch(/secrets\./);
    // The credentials come before the ECR login, which comes before the push.
    const order = push.steps.map((s) => s.uses?.split("@")[0] ?? s.id ?? s.name);
    expect(order.indexOf("aws-actions/configure-aws-credentials")).toBeLessThan(
      order.indexOf("aws-actions/amazon-ecr-login"),
    );
    expect(order.indexOf("aws-actions/amazon-ecr-login")).toBeLessThan(
      order.indexOf("docker/build-push-action"),
    );
  });

  it("tags the image with the commit SHA in the repository of the ECR_REPOSITORY variable, on the login's registry", () => {
    const [b] = action(push, "docker/build-push-action");
    expect(b.with?.tags).toBe(
      `${gh("steps.ecr.outputs.registry")}/${gh("vars.ECR_REPOSITORY")}:${gh("github.sha")}`,
    );
    expect(push.steps.find((s) => s.id === "ecr")?.uses).toMatch(/^aws-actions\/amazon-ecr-login@/);
    expect(push.env).toMatchObject({
      ECR_REPOSITORY: gh("vars.ECR_REPOSITORY"),
      IMAGE_TAG: gh("github.sha"),
    });
  });

  it("does not push a commit's tag twice (immutable tags): a re-run reuses the digest already there", () => {
    const existing = push.steps.find((s) => s.id === "existing");
    expect(existing?.run).toContain('--image-ids imageTag="$IMAGE_TAG"');
    for (const s of push.steps.filter((s) => s.uses?.startsWith("docker/"))) {
      expect(s.if).toBe("steps.existing.outputs.digest == ''");
    }
  });

  it("prints the pushed digest as the serving configuration's image keys, refusing anything but sha256:<64 hex>", () => {
    const print = push.steps.find((s) => s.name === "Print the digest for the platform configuration");
    expect(print?.env).toMatchObject({
      PUSHED_DIGEST: gh("steps.build.outputs.digest"),
      EXISTING_DIGEST: gh("steps.existing.outputs.digest"),
    });
    expect(print?.run).toContain("^sha256:[0-9a-f]{64}$");
    expect(print?.run).toContain(
      "printf 'addons:\\n  serving:\\n    image:\\n      repository: %s\\n      digest: %s\\n'",
    );
    expect(print?.run).toContain("addons.serving.deployments.<name>.image");
    expect(print?.run).toContain("GITHUB_STEP_SUMMARY");
  });

  it("prints configuration lines the platform configuration accepts as the serving image, and refuses a tag", () => {
    const print = push.steps.find((s) => s.name === "Print the digest for the platform configuration");
    const dir = mkdtempSync(join(tmpdir(), "service-image-"));
    try {
      const script = join(dir, "print.sh");
      writeFileSync(script, print?.run ?? "");
      const run = (digest: string) => {
        writeFileSync(join(dir, "summary.md"), "");
        return spawnSync("bash", ["-e", script], {
          encoding: "utf8",
          env: {
            PATH: process.env.PATH,
            REGISTRY: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            ECR_REPOSITORY: "mlops-dev/inference-service",
            IMAGE_TAG: "0123456789abcdef0123456789abcdef01234567",
            PUSHED_DIGEST: digest,
            EXISTING_DIGEST: "",
            GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
          },
        });
      };
      const digest = `sha256:${"ab".repeat(32)}`;
      const ok = run(digest);
      expect(ok.status, ok.stderr).toBe(0);
      const summary = readFileSync(join(dir, "summary.md"), "utf8");
      const snippet = /```yaml\n([\s\S]+?)```/.exec(summary)?.[1] ?? "";
      // The real configuration schema (the serving add-on's image keys) takes the printed lines as they are.
      const config = parsePlatformConfig(
        { name: "mlops", environment: "dev", region: "eu-west-1", preset: "minimal", ...parse(snippet) },
        "summary",
      );
      expect(config.addons.serving.image).toMatchObject({
        repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-dev/inference-service",
        digest,
      });
      expect(summary).toContain("addons.serving.deployments.<name>.image");
      // The per-deployment form the summary names is a key of the configuration too.
      expect(configReferenceMarkdown()).toContain("| `addons.serving.deployments.<name>.image.digest` |");
      const tag = run("latest");
      expect(tag.status).toBe(1);
      expect(tag.stdout).toContain("::error::no image digest (got 'latest')");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs on pushes to main and pull requests that change the image's inputs, and by hand", () => {
    const inputs = [
      "service/**",
      "package.json",
      "package-lock.json",
      ".npmrc",
      ".github/workflows/service-image.yml",
    ];
    expect(workflow.on.push?.branches).toEqual(["main"]);
    expect(workflow.on.push?.paths).toEqual(inputs);
    expect(workflow.on.pull_request?.paths).toEqual(inputs);
    expect(workflow.on).toHaveProperty("workflow_dispatch");
    // Every file the Dockerfile copies from the context is under one of those paths.
    const copied = [
      ...readFileSync(join(ROOT, "service", "Dockerfile"), "utf8").matchAll(/^COPY (?!--from)(.+) \S+$/gm),
    ].flatMap((m) => m[1].split(/\s+/));
    for (const src of copied) {
      expect(
        inputs.some((p) => (p.endsWith("/**") ? src.startsWith(p.slice(0, -2)) : src === p)),
        src,
      ).toBe(true);
    }
  });

  it("lists in the README's push policy exactly the actions the kit's push role gets", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Container image"), readme.indexOf("## Compliance"));
    const json = /```json\n([\s\S]+?)```/.exec(section)?.[1] ?? "";
    const statements = (JSON.parse(json) as { Statement: { Action: string | string[]; Resource: string }[] })
      .Statement;
    expect(statements[0]).toMatchObject({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(statements[1].Action).toEqual([...ECR_PUSH_ACTIONS]);
  });

  it("documents the repository name of the default configuration and the calls the push role needs", () => {
    const c = parsePlatformConfig({
      name: "mlops",
      environment: "dev",
      region: "eu-west-1",
      preset: "minimal",
    });
    expect(Object.keys(c.registry.repositories)).toContain(DEFAULT_REPOSITORY);
    expect(TEXT).toContain(`ECR_REPOSITORY   the repository name, e.g. mlops-dev/${DEFAULT_REPOSITORY}`);
    // Every ECR call the workflow makes on the repository is among the push actions the README lists.
    const calls = [...TEXT.matchAll(/aws ecr ([a-z-]+)/g)].map((m) => m[1]).filter((c) => c !== "wait");
    for (const call of calls) {
      const action = `ecr:${call.replace(/(^|-)([a-z])/g, (_m, _d, ch: string) => ch.toUpperCase())}`;
      expect(ECR_PUSH_ACTIONS, call).toContain(action);
    }
  });
});
