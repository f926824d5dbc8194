/** A dashboard as the ConfigMap Grafana's sidecar loads: one `<uid>.json` file, filed under a folder (the kit's by default). */
import { GRAFANA_DASHBOARD_LABEL, GRAFANA_DASHBOARD_LABEL_VALUE, GRAFANA_FOLDER_ANNOTATION } from "../names";
import { buildDashboard, DASHBOARD_FOLDER, type PlatformDashboard } from "./model";

/**
 * Terraform reads `${…}` and `%{…}` in any string of its JSON as interpolation and template directives; the
 * dashboard's own `${datasource}` must reach Kubernetes literally, so they are doubled (`$${`, `%%{`).
 */
export function escapeTerraformTemplates(text: string): string {
  // A replacer function: in a replacement string "$$" would mean one "$".
  return text.replaceAll("${", () => "$${").replaceAll("%{", () => "%%{");
}

export function dashboardConfigMapName(uid: string): string {
  return `dashboard-${uid}`;
}

export function dashboardConfigMap(
  d: PlatformDashboard,
  namespace: string,
  folder: string = DASHBOARD_FOLDER,
): Record<string, unknown> {
  const model = buildDashboard(d);
  // The declaration is what the add-on and the synth summary list; the model is what Grafana shows.
  if (model.uid !== d.uid || model.title !== d.title)
    throw new Error(
      `dashboard "${d.uid}": the built model has uid "${model.uid}" and title "${model.title}", expected "${d.uid}" and "${d.title}"`,
    );
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: dashboardConfigMapName(d.uid),
      namespace,
      labels: { [GRAFANA_DASHBOARD_LABEL]: GRAFANA_DASHBOARD_LABEL_VALUE },
      annotations: { [GRAFANA_FOLDER_ANNOTATION]: folder },
    },
    data: { [`${d.uid}.json`]: escapeTerraformTemplates(JSON.stringify(model)) },
  };
}
