import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  GRAFANA_DASHBOARD_LABEL,
  GRAFANA_DASHBOARD_LABEL_VALUE,
} from "../constructs/addons/monitoring/names";

export interface StackSummary {
  readonly name: string;
  readonly file: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly byType: Readonly<Record<string, number>>;
  /** Grafana dashboards emitted as sidecar ConfigMaps (uid and title from the dashboard model). */
  readonly dashboards: readonly { readonly uid: string; readonly title: string }[];
  /** PrometheusRules emitted, with the number of alerting rules in each. */
  readonly alertRules: readonly { readonly name: string; readonly alerts: number }[];
}

interface K8sManifest {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: { groups?: { rules?: { alert?: string }[] }[] };
}

/** Terraform JSON doubles `${` and `%{` in literal strings (see the dashboards' ConfigMaps); undo it. */
function unescapeTerraform(text: string): string {
  return text.replaceAll("$${", () => "${").replaceAll("%%{", () => "%{");
}

/** The dashboards and alert rules among a stack's `kubernetes_manifest` resources. */
function monitoringObjects(
  resources: Record<string, unknown>,
): Pick<StackSummary, "dashboards" | "alertRules"> {
  const dashboards: { uid: string; title: string }[] = [];
  const alertRules: { name: string; alerts: number }[] = [];
  for (const r of Object.values(resources)) {
    const m = (r as { manifest?: K8sManifest }).manifest ?? {};
    const name = m.metadata?.name ?? "?";
    if (
      m.kind === "ConfigMap" &&
      m.metadata?.labels?.[GRAFANA_DASHBOARD_LABEL] === GRAFANA_DASHBOARD_LABEL_VALUE
    ) {
      for (const text of Object.values(m.data ?? {})) {
        try {
          const model = JSON.parse(unescapeTerraform(text)) as { uid?: string; title?: string };
          dashboards.push({ uid: model.uid ?? name, title: model.title ?? "" });
        } catch {
          dashboards.push({ uid: name, title: "(not JSON)" });
        }
      }
    } else if (m.kind === "PrometheusRule") {
      const alerts = (m.spec?.groups ?? []).flatMap((g) => g.rules ?? []).filter((x) => x.alert).length;
      alertRules.push({ name, alerts });
    }
  }
  dashboards.sort((a, b) => a.uid.localeCompare(b.uid));
  alertRules.sort((a, b) => a.name.localeCompare(b.name));
  return { dashboards, alertRules };
}

/** Reads what `app.synth()` wrote: the manifest and each stack's Terraform JSON. */
export function summarizeOutput(outdir: string): StackSummary[] {
  const manifestPath = join(outdir, "manifest.json");
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    stacks: Record<string, { name: string; synthesizedStackPath: string }>;
  };
  return Object.values(manifest.stacks).map((s) => {
    const file = join(outdir, s.synthesizedStackPath);
    const json = JSON.parse(readFileSync(file, "utf8")) as {
      resource?: Record<string, Record<string, unknown>>;
      data?: Record<string, Record<string, unknown>>;
    };
    const byType: Record<string, number> = {};
    let resources = 0;
    for (const [type, items] of Object.entries(json.resource ?? {})) {
      byType[type] = Object.keys(items).length;
      resources += byType[type];
    }
    const dataSources = Object.values(json.data ?? {}).reduce((n, items) => n + Object.keys(items).length, 0);
    const monitoring = monitoringObjects(json.resource?.kubernetes_manifest ?? {});
    return { name: s.name, file, resources, dataSources, byType, ...monitoring };
  });
}

export function formatSummary(
  stacks: readonly StackSummary[],
  outdir: string,
  extra: readonly string[] = [],
): string {
  const lines: string[] = [];
  const total = stacks.reduce((n, s) => n + s.resources, 0);
  lines.push(
    `Synthesized ${stacks.length} stack(s), ${total} resources, into ${relative(process.cwd(), outdir) || outdir}/`,
  );
  // Stacks alike (team environments) list their types once: 100 teams would otherwise print 1,700 lines.
  let listed: { name: string; key: string } | undefined;
  for (const s of stacks) {
    lines.push(
      `  ${s.name}: ${s.resources} resources, ${s.dataSources} data sources -> ${relative(process.cwd(), s.file)}`,
    );
    const types = Object.entries(s.byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const key = JSON.stringify(types);
    if (listed && listed.key === key && types.length > 0) {
      lines.push(`      same resource types as ${listed.name}`);
    } else {
      for (const [type, n] of types) lines.push(`      ${String(n).padStart(3)}  ${type}`);
      listed = { name: s.name, key };
    }
    if (s.dashboards.length > 0) {
      lines.push(`    Grafana dashboards (${s.dashboards.length}):`);
      for (const d of s.dashboards) lines.push(`      ${d.uid}  ${d.title}`);
    }
    if (s.alertRules.length > 0) {
      const total = s.alertRules.reduce((n, r) => n + r.alerts, 0);
      lines.push(`    Alert rules (${total} in ${s.alertRules.length} PrometheusRules):`);
      for (const r of s.alertRules) lines.push(`      ${String(r.alerts).padStart(3)}  ${r.name}`);
    }
  }
  lines.push(...extra);
  return lines.join("\n");
}
