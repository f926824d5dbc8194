/**
 * The kit's Grafana dashboards as code (@grafana/grafana-foundation-sdk). The monitoring add-on emits each as
 * a ConfigMap the Grafana sidecar loads (`dashboardConfigMaps`). See README.md beside the add-on, "Dashboards".
 */
import { GPU_DASHBOARD } from "./gpu";
import { KAFKA_DASHBOARD } from "./kafka";
import { dashboardProblems, type PlatformDashboard } from "./model";
import { PLATFORM_OVERVIEW } from "./platform";
import { SERVICES_DASHBOARD } from "./services";
import { SERVING_DASHBOARD } from "./serving";

export { dashboardConfigMap, dashboardConfigMapName, escapeTerraformTemplates } from "./configmap";
export * from "./model";
export { dashboardExprs, type PanelQuery } from "./queries";

/** Every dashboard of the kit, in the order they are emitted. */
export const PLATFORM_DASHBOARDS: readonly PlatformDashboard[] = [
  PLATFORM_OVERVIEW,
  KAFKA_DASHBOARD,
  SERVICES_DASHBOARD,
  GPU_DASHBOARD,
  SERVING_DASHBOARD,
];

/** The dashboards whose add-ons run (those without add-ons always), checked for unique, valid uids. */
export function dashboardsFor(
  has: (addOn: string) => boolean,
  dashboards: readonly PlatformDashboard[] = PLATFORM_DASHBOARDS,
): PlatformDashboard[] {
  const problems = dashboardProblems(dashboards);
  if (problems.length > 0) throw new Error(`invalid dashboards:\n  ${problems.join("\n  ")}`);
  return dashboards.filter((d) => d.addOns.length === 0 || d.addOns.some(has));
}
