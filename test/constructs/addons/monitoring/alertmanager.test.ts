/**
 * A real `amtool check-config` (Debian's prometheus-alertmanager) on the Alertmanager configuration the kit
 * renders: the `alertmanager.config` value of the synthesized release, merged over the chart's default as Helm
 * does (maps by key, lists replace), with the secret files pointing at temp files this test writes.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import {
  ALERTMANAGER_SECRETS_DIR,
  type MonitoringConfigInput,
  RECEIVER_SECRET_KEYS,
  receiverSecretName,
} from "../../../../constructs/addons/monitoring";
import { deepMerge } from "../../../../constructs/core/merge";
import { schemasLocation } from "../../../../scripts/validation/schema-store";
import { ALL_RECEIVERS, type Json, monitoringValues, synthMonitoring } from "./support";

function which(bin: string, envVar: string): string | undefined {
  const given = process.env[envVar];
  if (given) return given;
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const AMTOOL = which("amtool", "AMTOOL_BIN");
const SCHEMAS = schemasLocation().dir;
const missing = [
  ...(AMTOOL ? [] : ["amtool not found (install: bash .ci/steps/alertmanager.sh)"]),
  ...(SCHEMAS ? [] : [`the chart's reference values.yaml: ${schemasLocation().reason}`]),
];
if (missing.length > 0) {
  console.warn(
    `\n${"!".repeat(78)}\n! SKIPPING amtool check-config: ${missing.join("; ")}\n${"!".repeat(78)}\n`,
  );
}

describe.runIf(missing.length > 0 && process.env.CI === "true")("amtool check-config (CI)", () => {
  it("fails when CI=true and amtool or the reference data is missing", () => {
    throw new Error(`CI=true but ${missing.join("; ")}`);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The chart's own default `alertmanager.config`, which Helm coalesces the kit's value into. */
function chartDefault(): Json {
  const values = parseYaml(
    readFileSync(path.join(SCHEMAS as string, "charts/kube-prometheus-stack/values.yaml"), "utf8"),
  ) as Json;
  return values.alertmanager.config;
}

/** Renders the config as the release would, writes the secret files, runs amtool; returns its result. */
function checkConfig(config: MonitoringConfigInput, mutate: (c: Json) => void = () => {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "amtool-"));
  dirs.push(dir);
  const rendered = monitoringValues(synthMonitoring(config).json).alertmanager.config as Json;
  const merged = deepMerge(chartDefault(), rendered) as Json;
  mutate(merged);
  const secretsDir = path.join(dir, "secrets");
  const text = stringify(merged).replaceAll(ALERTMANAGER_SECRETS_DIR, secretsDir);
  for (const r of (config.alertmanager?.receivers ?? []).filter((x) => x.secretArn)) {
    const folder = path.join(secretsDir, receiverSecretName(r.name));
    mkdirSync(folder, { recursive: true });
    const value = r.type === "slack" ? "https://hooks.slack.com/services/T0/B0/x" : "test-value";
    writeFileSync(path.join(folder, RECEIVER_SECRET_KEYS[r.type].key), value);
  }
  const file = path.join(dir, "alertmanager.yaml");
  writeFileSync(file, text);
  const run = spawnSync(AMTOOL as string, ["check-config", file], { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}`, merged, text };
}

describe.skipIf(missing.length > 0)("Alertmanager configuration, checked by amtool", () => {
  it("accepts the default configuration (no receivers: everything to the null receiver)", () => {
    const r = checkConfig({});
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
    expect(r.merged.route.receiver).toBe("null");
    // The chart's inhibit rules survive the merge.
    expect(r.merged.inhibit_rules.length).toBeGreaterThan(0);
  });

  it("accepts one receiver of each type with routes, secrets read from files", () => {
    const r = checkConfig(ALL_RECEIVERS);
    console.info(`[amtool] ${r.output.trim().replaceAll("\n", " | ")}`);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.output).toMatch(/6 receivers/);
    expect(r.status).toBe(0);
    expect(r.text).not.toContain(ALERTMANAGER_SECRETS_DIR);
    expect(r.text).toMatch(/routing_key_file: .*alertmanager-oncall\/routing-key/);
  });

  it("fails when the rendered config breaks (amtool is really judging it)", () => {
    const r = checkConfig(ALL_RECEIVERS, (c) => {
      c.route.routes[1].receiver = "nobody";
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/undefined receiver "nobody"/);
  });
});
