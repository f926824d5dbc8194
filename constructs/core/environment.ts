/** Environment names that get production defaults (Multi-AZ databases, error-level state-backend findings). */
export const PRODUCTION_ENVIRONMENTS: readonly string[] = ["prod", "production"];

export function isProductionEnvironment(environment: string): boolean {
  return PRODUCTION_ENVIRONMENTS.includes(environment);
}
