/**
 * What a kit dashboard declares besides its panels: a stable uid (Grafana URLs are /d/<uid>: public API, like
 * construct ids), the add-ons it belongs to and the exporters whose metric names its queries may use.
 */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ExporterId } from "../rules/metrics";

export interface PlatformDashboard {
  /** Grafana's dashboard uid: at most 40 of [a-z0-9-]; never change a released one. */
  readonly uid: string;
  readonly title: string;
  /** Emitted when any of these add-ons runs; empty means whenever monitoring runs. */
  readonly addOns: readonly string[];
  /** The exporters whose lists (rules/metrics) every metric name in the panels and variables must be on. */
  readonly exporters: readonly ExporterId[];
  /** The Grafana dashboard model (JSON, schemaVersion of the SDK's Grafana). */
  readonly build: () => Dashboard;
}

/** The Grafana folder the dashboard sidecar files the kit's dashboards under (annotation `grafana_folder`). */
export const DASHBOARD_FOLDER = "MLOps Platform";
/** A DNS label too: the uid names the ConfigMap (`dashboard-<uid>`) and its file. */
const UID = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;

/** Every problem of the dashboards' declarations (uids valid and unique, titles unique). Empty when valid. */
export function dashboardProblems(dashboards: readonly PlatformDashboard[]): string[] {
  const problems: string[] = [];
  const uids = new Set<string>();
  const titles = new Set<string>();
  for (const d of dashboards) {
    if (!UID.test(d.uid))
      problems.push(
        `dashboard "${d.title}": uid "${d.uid}" is not 1-40 of [a-z0-9-] starting and ending alphanumeric`,
      );
    if (uids.has(d.uid)) problems.push(`dashboard "${d.title}": uid "${d.uid}" is used twice`);
    if (titles.has(d.title)) problems.push(`dashboard "${d.title}": title is used twice`);
    if (d.exporters.length === 0) problems.push(`dashboard "${d.title}": names no exporter`);
    uids.add(d.uid);
    titles.add(d.title);
  }
  return problems;
}

interface NumberedPanel {
  id?: number;
  panels?: NumberedPanel[];
}

/**
 * The dashboard model with panel ids 1…n in layout order (rows included; the SDK leaves them unset or 0), so
 * links to a panel (`viewPanel=<id>`) stay stable while the panels do.
 */
export function buildDashboard(d: PlatformDashboard): Dashboard {
  const model = d.build();
  let next = 1;
  const visit = (panels: NumberedPanel[]) => {
    for (const p of panels) {
      p.id = next++;
      visit(p.panels ?? []);
    }
  };
  visit((model.panels ?? []) as NumberedPanel[]);
  return model;
}
