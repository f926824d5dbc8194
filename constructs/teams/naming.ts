/**
 * Names of a team environment's parts, in one place so the config checks, the team stack and every team
 * construct agree (issue 13's contract). Pure functions of the team's name and environment: a team's names never
 * depend on which other teams exist, so adding or removing one renames nothing.
 */

/** Kubernetes namespace of one team environment: `team-<name>-<env>`. */
export function teamNamespace(team: string, environment: string): string {
  return `team-${team}-${environment}`;
}

/** The team's workload service account in each of its namespaces (the workload role's subject). */
export function teamServiceAccount(team: string): string {
  return `team-${team}`;
}

/**
 * The team environment's stack: `<platform prefix>-team-<name>-<env>`. The environment is always part of it, so a
 * team gaining a second environment does not rename (and move the state of) its first.
 */
export function teamStackName(platformPrefix: string, team: string, environment: string): string {
  return `${platformPrefix}-${teamNamespace(team, environment)}`;
}

/** The team's key prefix in every lake zone bucket. */
export function teamLakePrefix(team: string): string {
  return `teams/${team}/`;
}

/** The top-level lake folder holding every team's prefix (shared data is everything outside it). */
export const TEAMS_LAKE_FOLDER = "teams/";

/** The team's Kafka topic (and consumer group) prefix. */
export function teamKafkaTopicPrefix(team: string): string {
  return `team.${team}.`;
}

/** The team's Glue database (Glue names take underscores, not '-'). */
export function teamGlueDatabase(team: string): string {
  return `team_${team.replaceAll("-", "_")}`;
}

/** Prefix of the team's MLflow experiments. */
export function teamMlflowExperimentPrefix(team: string): string {
  return `${team}/`;
}

/** Prefix of the team's MLflow registered models. */
export function teamMlflowModelPrefix(team: string): string {
  return `${team}.`;
}

/** The cost-allocation tag key on everything a team environment creates (its value is the team's name). */
export const TEAM_TAG = "team";

/** The tags of everything a team environment creates. */
export function teamTags(team: string): Record<string, string> {
  return { [TEAM_TAG]: team };
}

/** Kubernetes labels of a team's objects (namespace, quota, policies, service account). */
export function teamLabels(team: string, environment: string): Record<string, string> {
  return { "mlops.io/team": team, "mlops.io/team-environment": environment };
}
