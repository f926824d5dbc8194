import { App } from "cdktf";
import { buildPlatform } from "./blueprints/platform-blueprint";
import { formatSummary, summarizeOutput } from "./blueprints/summary";
import { quietTraces } from "./blueprints/synth-traces";
import { ConfigError, loadPlatformConfig } from "./config";
import { PolicyViolationError } from "./constructs/policy/rule-pack";

/**
 * The kit's app: `cdktf synth` runs this with tsx. Configuration comes from the file named by MLOPS_CONFIG or
 * the embedded default; an invalid configuration stops here, before anything is written.
 */
async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadPlatformConfig>;
  try {
    loaded = loadPlatformConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = new App();
  const restore = quietTraces(process.env.MLOPS_SYNTH_STACKS === "1");
  try {
    await build(app, loaded);
  } finally {
    restore();
  }
}

async function build(app: App, loaded: ReturnType<typeof loadPlatformConfig>): Promise<void> {
  const result = buildPlatform(app, loaded.config);
  // MLOPS_VALIDATE=1 checks every Kubernetes object and Helm values object against ../shared/schemas at synth.
  // The validator (ajv, kubernetes-models) is tooling, loaded only when asked for: a plain synth never pays for it.
  if (process.env.MLOPS_VALIDATE === "1") {
    const { enableSynthValidationFromEnv } = await import("./scripts/validation/synth-hook");
    // Each stack's counts join the summary, printed after synth (the hook runs during it).
    const log = (line: string) => result.notes.push(line);
    if (enableSynthValidationFromEnv(app, process.env, { log })) {
      result.notes.push("Schema validation: on (MLOPS_VALIDATE=1)");
    }
  }
  try {
    app.synth();
  } catch (err) {
    // Error-level policy findings: every one is listed, and nothing was written.
    if (err instanceof PolicyViolationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const summary = formatSummary(summarizeOutput(app.outdir), app.outdir, [
    `Configuration: ${loaded.source} (${loaded.config.name}/${loaded.config.environment}, ${loaded.config.region})`,
    ...result.notes,
    ...result.policy.summaryLines(),
  ]);
  process.stdout.write(`${summary}\n`);
}

await main();
